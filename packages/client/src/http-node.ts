import type { TlsCa } from './options.js';
import type { RawHttpRequest, RawHttpResponse } from './platform.js';

/** A request over `node:https` trusting `ca`; the whole body is read before it resolves. */
export async function nodeRequest(url: URL, init: RawHttpRequest, ca: TlsCa, timeoutMs: number): Promise<RawHttpResponse> {
  // Loaded on first use: only clients trusting their own CA over https need it.
  const https = await import('node:https');
  return new Promise<RawHttpResponse>((resolve, reject) => {
    const timeout = Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' });
    const req = https.request(url, { method: init.method ?? 'GET', headers: init.headers, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({
          status,
          ok: status >= 200 && status < 300,
          header: (name) => {
            const value = res.headers[name.toLowerCase()];
            return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
          },
          text: () => Promise.resolve(body),
          discard: () => Promise.resolve(),
        });
      });
    });
    const timer = setTimeout(() => req.destroy(timeout), timeoutMs);
    function fail(err: Error): void {
      clearTimeout(timer);
      reject(err);
    }
    req.on('error', fail);
    req.end(init.body);
  });
}

