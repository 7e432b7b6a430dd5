import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RawClient, cleanup, makeProject, register, startServer } from './helpers.js';

afterEach(cleanup);

/** The self-signed test certificate (see test/fixtures/tls/README.md); it is its own CA. */
const cert = readFileSync(fileURLToPath(new URL('./fixtures/tls/localhost.crt', import.meta.url)));
const key = readFileSync(fileURLToPath(new URL('./fixtures/tls/localhost.key', import.meta.url)));

function httpsGet(url: string, token: string | undefined): Promise<{ status: number; json: () => any }> {
  return new Promise((resolve, reject) => {
    const headers = token === undefined ? {} : { Authorization: `Bearer ${token}` };
    const req = httpsRequest(url, { ca: cert, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: () => JSON.parse(Buffer.concat(chunks).toString()) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('tls', () => {
  it('serves wss:// and https:// URLs', async () => {
    const server = await startServer(await makeProject(), { tls: { cert, key } });
    expect(server.wsUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\//);
    expect(server.httpUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers JSON-RPC and sends events to a client that trusts the certificate', async () => {
    const server = await startServer(await makeProject(), { tls: { cert, key } });
    const watcher = await RawClient.connect(server.wsUrl, { ca: cert });
    expect(await watcher.result('ping')).toBeDefined();
    await watcher.result('subscribe', { events: ['task.*'] });
    const writer = await RawClient.connect(server.wsUrl, { ca: cert });
    await writer.result('task.create', { task: { title: 'Over TLS' } });
    const created = await watcher.waitFor((m) => m.method === 'task.created');
    expect(created.params).toMatchObject({ task: { title: 'Over TLS' } });
  });

  it('refuses a client that does not trust the certificate', async () => {
    const server = await startServer(await makeProject(), { tls: { cert, key } });
    await expect(RawClient.connect(server.wsUrl)).rejects.toThrow(/self[- ]signed/i);
  });

  it('answers GET /api/sync/status over https', async () => {
    const server = await startServer(await makeProject(), { tls: { cert, key } });
    const res = await httpsGet(`${server.httpUrl}/api/sync/status`, server.token);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ urls: { ws: server.wsUrl, http: server.httpUrl } });
  });

  it('does not speak plain ws:// on the TLS port', async () => {
    const server = await startServer(await makeProject(), { tls: { cert, key } });
    const plain = new WebSocket(server.wsUrl.replace(/^wss:/, 'ws:'));
    register(async () => plain.terminate());
    const outcome = await new Promise<string>((resolve) => {
      plain.once('open', () => resolve('open'));
      plain.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
      plain.once('error', (err) => resolve(`error: ${err.message}`));
      plain.once('close', () => resolve('closed'));
    });
    expect(outcome).not.toBe('open');
    expect(outcome).toMatch(/^(error|closed|HTTP 400)/);
  });
});
