import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, cleanup, httpRequest, makeProject, register, startServer } from './helpers.js';

afterEach(cleanup);

/** A folder shaped like the board's build, a secret beside it and a link pointing out at the secret. */
async function boardFolder(): Promise<{ dir: string; secret: string }> {
  const base = await mkdtemp(join(tmpdir(), 'tm-board-'));
  register(() => rm(base, { recursive: true, force: true }));
  const dir = join(base, 'dist');
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/index-abc123.js"></script>');
  await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log("board")');
  await writeFile(join(dir, 'assets', 'index-abc123.css'), 'body{}');
  await writeFile(join(dir, '.env'), 'HIDDEN=1');
  const secret = join(base, 'secret.txt');
  await writeFile(secret, 'not for the web');
  await symlink(secret, join(dir, 'leak.txt'));
  await symlink(base, join(dir, 'up'));
  return { dir, secret };
}

describe('the board served from the HTTP port', () => {
  it('serves index.html at / without a token, with a strict CSP naming only this server', async () => {
    const { dir } = await boardFolder();
    const server = await startServer(await makeProject(), { boardDir: dir });
    const page = await httpRequest(`${server.httpUrl}/`, { token: false });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['cache-control']).toBe('no-cache');

    const js = await httpRequest(`${server.httpUrl}/assets/index-abc123.js`, { token: false });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    const css = await httpRequest(`${server.httpUrl}/assets/index-abc123.css`, { token: false });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('tells the page where the WebSocket is, never the token', async () => {
    const { dir } = await boardFolder();
    const server = await startServer(await makeProject(), { boardDir: dir, token: 'board-config-secret-token-xyz' });
    const config = await httpRequest(`${server.httpUrl}/board/config.json`, { token: false });
    expect(config.status).toBe(200);
    expect(config.json()).toEqual({ wsPort: server.port, wsPath: '/taskmaster', wsScheme: 'ws' });
    expect(config.raw.toString()).not.toContain('board-config-secret-token-xyz');
  });

  it('lists no folder, serves no dot-file and follows no link out of the folder', async () => {
    const { dir } = await boardFolder();
    const server = await startServer(await makeProject(), { boardDir: dir });
    for (const p of ['/assets/', '/assets', '/.env', '/leak.txt', '/up/secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/nope.js']) {
      const res = await httpRequest(`${server.httpUrl}${p}`, { token: false });
      expect(res.status, p).toBe(404);
      expect(res.raw.toString(), p).not.toContain('not for the web');
    }
  });

  it('still checks the Host header, and the API still needs the token', async () => {
    const { dir } = await boardFolder();
    const server = await startServer(await makeProject(), { boardDir: dir });
    const rebound = await httpRequest(`${server.httpUrl}/`, { token: false, headers: { host: 'evil.example' } });
    expect(rebound.status).toBe(403);
    expect((await httpRequest(`${server.httpUrl}/api/tasks`, { token: false })).status).toBe(401);
    expect((await httpRequest(`${server.httpUrl}/api/nope`, { token: false })).status).toBe(401);
  });

  it('serves nothing at / when not handed a board', async () => {
    const server = await startServer(await makeProject());
    expect((await httpRequest(`${server.httpUrl}/`, { token: false })).status).toBe(401);
    expect((await httpRequest(`${server.httpUrl}/`)).status).toBe(404);
  });

  it("lets the board's own origin open the WebSocket and refuses another origin", async () => {
    const { dir } = await boardFolder();
    const server = await startServer(await makeProject(), { boardDir: dir });
    const own = await RawClient.connect(server.wsUrl, { origin: `http://127.0.0.1:${server.httpPort}` });
    expect((await own.result('ping')).pong).toBe(true);
    for (const origin of ['http://evil.example', `http://evil.example:${server.httpPort}`, `https://127.0.0.1.evil.example:${server.httpPort}`]) {
      await expect(RawClient.connect(server.wsUrl, { origin }), origin).rejects.toMatchObject({ status: 403 });
    }
  });
});
