import type { TlsCa } from './options.js';
import type { RawHttpRequest, RawHttpResponse } from './platform.js';

/**
 * A request over `node:https` trusting `ca`; the whole body is read before it
 * resolves. `init.signal` ends it (its timeout or the client closing), with
 * the signal's reason as the error, as fetch does.
 */
export async function nodeRequest(url: URL, init: RawHttpRequest, ca: TlsCa): Promise<RawHttpResponse> {
  // Loaded on first use: only clients trusting their own CA over https need it.
  const https = await import('node:https');
  init.signal?.throwIfAborted();
  return new Promise<RawHttpResponse>((resolve, reject) => {
    const req = https.request(url, { method: init.method ?? 'GET', headers: init.headers, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        init.signal?.removeEventListener('abort', abort);
        const status = res.statusCode ?? 0;
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({
          status,
          ok: status >= 200 && status < 300,
          header: (name) => {
            const value = res.headers[name.toLowerCase()];
            return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
          },
          body,
        });
      });
    });
    const abort = () => req.destroy(init.signal?.reason instanceof Error ? init.signal.reason : new Error('aborted'));
    init.signal?.addEventListener('abort', abort, { once: true });
    function fail(err: Error): void {
      init.signal?.removeEventListener('abort', abort);
      reject(err);
    }
    req.on('error', fail);
    req.end(init.body);
  });
}

