import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, cleanup, httpRequest, makeProject, startServer } from './helpers.js';

afterEach(cleanup);

const TOKEN = 'a-very-secret-token-of-enough-length';

async function refusal(url: string, options: Parameters<typeof RawClient.connect>[1] = {}) {
  try {
    await RawClient.connect(url, options);
  } catch (err) {
    return err as { status?: number; body?: { error?: { code?: number; message?: string } } };
  }
  throw new Error('the connection was accepted');
}

describe('token authentication', () => {
  it('refuses a WebSocket without the token or with a wrong one (401, 1002) before the upgrade', async () => {
    const server = await startServer(await makeProject(), { token: TOKEN });
    const missing = await refusal(server.wsUrl, { token: false });
    expect(missing.status).toBe(401);
    expect(missing.body?.error?.code).toBe(1002);
    const wrong = await refusal(`${server.wsUrl}?token=nope`);
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(wrong.body)).not.toContain(TOKEN);
  });

  it('accepts the token as a Bearer header, a ?token= parameter, or a subprotocol', async () => {
    const server = await startServer(await makeProject(), { token: TOKEN });
    const bearer = await RawClient.connect(server.wsUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect((await bearer.result('ping')).pong).toBe(true);
    const query = await RawClient.connect(`${server.wsUrl}?token=${TOKEN}`);
    expect((await query.result('ping')).pong).toBe(true);
    const sub = await RawClient.connect(server.wsUrl, { protocols: [`taskmaster.token.${TOKEN}`, 'taskmaster.v1'] });
    expect(sub.ws.protocol).toBe('taskmaster.v1');
    expect((await sub.result('ping')).pong).toBe(true);
  });

  it('generates a token when asked to', async () => {
    const server = await startServer(await makeProject(), { token: true });
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await refusal(server.wsUrl, { token: false })).status).toBe(401);
    await RawClient.connect(`${server.wsUrl}?token=${server.token}`);
  });

  it('guards the HTTP API with the same token', async () => {
    const server = await startServer(await makeProject(), { token: TOKEN });
    const missing = await httpRequest(`${server.httpUrl}/api/tasks`, { token: false });
    expect(missing.status).toBe(401);
    expect(missing.json().error.code).toBe(1002);
    expect((await httpRequest(`${server.httpUrl}/api/tasks`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await httpRequest(`${server.httpUrl}/api/tasks?token=${TOKEN}`)).status).toBe(200);
    expect((await httpRequest(`${server.httpUrl}/api/tasks?token=wrong`)).status).toBe(401);
  });
});

describe('Origin and Host checks', () => {
  it('refuses a browser Origin that is not loopback or allow-listed, on both doors', async () => {
    const server = await startServer(await makeProject(), { allowedOrigins: ['vscode-webview://abc123'] });
    expect((await refusal(server.wsUrl, { origin: 'https://evil.example' })).status).toBe(403);
    await RawClient.connect(server.wsUrl, { origin: 'http://localhost:3000' });
    await RawClient.connect(server.wsUrl, { origin: 'vscode-webview://abc123' });

    const evil = await httpRequest(`${server.httpUrl}/api/tasks`, { headers: { origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const local = await httpRequest(`${server.httpUrl}/api/tasks`, { headers: { origin: 'http://127.0.0.1:5500' } });
    expect(local.status).toBe(200);
    expect(local.headers['access-control-allow-origin']).toBe('http://127.0.0.1:5500');
  });

  it('answers a CORS preflight from an allowed origin without a token, and never with "*"', async () => {
    const server = await startServer(await makeProject(), { token: TOKEN });
    const res = await httpRequest(`${server.httpUrl}/api/tasks`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(res.headers['access-control-allow-headers']).toContain('authorization');
  });

  it('refuses a Host header that is not loopback (DNS rebinding), on both doors', async () => {
    const server = await startServer(await makeProject(), { allowedHosts: ['tasks.internal'] });
    expect((await refusal(server.wsUrl, { headers: { host: `rebind.example:${server.port}` } })).status).toBe(403);
    await RawClient.connect(server.wsUrl, { headers: { host: `localhost:${server.port}` } });
    await RawClient.connect(server.wsUrl, { headers: { host: 'tasks.internal' } });
    const rebound = await httpRequest(`${server.httpUrl}/api/tasks`, { headers: { host: 'rebind.example' } });
    expect(rebound.status).toBe(403);
    expect((await httpRequest(`${server.httpUrl}/api/tasks`, { headers: { host: `[::1]:${server.httpPort}` } })).status).toBe(200);
  });
});

describe('connection limits', () => {
  it('refuses upgrades beyond maxConnections with 503 and code 1001', async () => {
    const server = await startServer(await makeProject(), { maxConnections: 2 });
    await RawClient.connect(server.wsUrl);
    await RawClient.connect(server.wsUrl);
    const third = await refusal(server.wsUrl);
    expect(third.status).toBe(503);
    expect(third.body?.error?.code).toBe(1001);
  });

  it('answers 426 to plain HTTP on the WebSocket path and 404 elsewhere', async () => {
    const server = await startServer(await makeProject());
    const base = server.wsUrl.replace('ws://', 'http://');
    expect((await httpRequest(base)).status).toBe(426);
    expect((await httpRequest(base.replace('/taskmaster', '/other'))).status).toBe(404);
    expect((await refusal(server.wsUrl.replace('/taskmaster', '/other'))).status).toBe(404);
  });
});
