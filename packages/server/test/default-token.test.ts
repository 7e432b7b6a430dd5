import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkAccess, type ServerLog } from '../src/index.js';
import { RawClient, cleanup, httpRequest, makeProject, startServer } from './helpers.js';

afterEach(cleanup);

const connectionFile = (root: string) => join(root, '.taskmaster', 'config', 'connection.json');

/** The upgrade's refusal (status and body), or a throw when it was accepted. */
async function refusal(url: string) {
  try {
    await RawClient.connect(url, { token: false });
  } catch (err) {
    return err as { status?: number; body?: { error?: { code?: number } } };
  }
  throw new Error('the connection was accepted');
}

/** A log sink that keeps every line, as a test would read server.log. */
function recordingLog(): { log: ServerLog; lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  return { lines, log: (level, message) => void lines.push({ level, message }) };
}

describe('a token by default', () => {
  it('refuses a client without the token (401, 1002) and accepts one that reads connection.json', async () => {
    const root = await makeProject();
    const server = await startServer(root);

    const refused = await refusal(server.wsUrl);
    expect(refused.status).toBe(401);
    expect(refused.body?.error?.code).toBe(1002);
    expect((await httpRequest(`${server.httpUrl}/api/tasks`, { token: false })).status).toBe(401);

    // What a user's client does: read connection.json, present its token.
    const { wsUrl, httpUrl, token } = JSON.parse(await readFile(connectionFile(root), 'utf8')) as Record<string, string>;
    const client = await RawClient.connect(wsUrl!, { headers: { Authorization: `Bearer ${token}` } });
    expect((await client.result('ping')).pong).toBe(true);
    expect((await httpRequest(`${httpUrl}/api/tasks`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('stores the token in connection.json, readable by its owner only (0600)', async () => {
    const root = await makeProject();
    const server = await startServer(root);
    const file = connectionFile(root);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const onDisk = JSON.parse(await readFile(file, 'utf8')) as { token?: string };
    expect(onDisk.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(onDisk.token).toBe(server.token);
  });

  it('generates a new token on every start', async () => {
    const first = await startServer(await makeProject());
    const second = await startServer(await makeProject());
    expect(first.token).toBeDefined();
    expect(second.token).toBeDefined();
    expect(first.token).not.toBe(second.token);
  });

  it('uses the token of sync.json, or of the options, instead of a generated one', async () => {
    const root = await makeProject();
    const configured = 'a-configured-token-of-enough-length';
    await writeFile(join(root, '.taskmaster', 'config', 'sync.json'), JSON.stringify({ token: configured }));
    expect((await startServer(root, { writeConnectionFile: false })).token).toBe(configured);
    expect((await startServer(root, { token: 'an-option-token-of-enough-length' })).token).toBe('an-option-token-of-enough-length');
  });

  it('never writes the token into the log', async () => {
    const { log, lines } = recordingLog();
    const server = await startServer(await makeProject(), { log });
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(lines)).not.toContain(server.token);
  });
});

describe('opting out of the token', () => {
  it('with "auth": "none" in sync.json accepts a client without a token and warns at start', async () => {
    const root = await makeProject();
    await writeFile(join(root, '.taskmaster', 'config', 'sync.json'), JSON.stringify({ auth: 'none' }));
    const { log, lines } = recordingLog();
    const server = await startServer(root, { log });

    expect(server.token).toBeUndefined();
    const client = await RawClient.connect(server.wsUrl, { token: false });
    expect((await client.result('ping')).pong).toBe(true);
    expect((await httpRequest(`${server.httpUrl}/api/tasks`, { token: false })).status).toBe(200);
    const onDisk = JSON.parse(await readFile(connectionFile(root), 'utf8')) as { token?: string };
    expect(onDisk.token).toBeUndefined();
    const warning = lines.find((l) => l.level === 'warn' && /no token required \("auth": "none"/.test(l.message));
    expect(warning?.message).toMatch(/anyone who can reach port \d+ or \d+ can read and change the tasks/);
  });

  it('with token: false (a program opting out) accepts a client without a token and warns too', async () => {
    const { log, lines } = recordingLog();
    const server = await startServer(await makeProject(), { token: false, log });
    expect(server.token).toBeUndefined();
    await RawClient.connect(server.wsUrl, { token: false });
    expect(lines.some((l) => l.level === 'warn' && /anyone who can reach port/.test(l.message))).toBe(true);
  });

  it('lets an explicit token win over "auth": "none"', async () => {
    const root = await makeProject();
    await writeFile(join(root, '.taskmaster', 'config', 'sync.json'), JSON.stringify({ auth: 'none' }));
    const server = await startServer(root, { token: true });
    expect(server.token).toBeDefined();
    expect((await refusal(server.wsUrl)).status).toBe(401);
  });

  it('refuses a sync.json that sets both "token" and "auth": "none"', async () => {
    const root = await makeProject();
    await writeFile(join(root, '.taskmaster', 'config', 'sync.json'), JSON.stringify({ auth: 'none', token: 'a-configured-token-of-enough-length' }));
    await expect(startServer(root)).rejects.toThrow(/auth/);
  });

  it('refuses an "auth" value it does not know', async () => {
    const root = await makeProject();
    await writeFile(join(root, '.taskmaster', 'config', 'sync.json'), JSON.stringify({ auth: 'off' }));
    await expect(startServer(root)).rejects.toThrow(/auth/);
  });
});

describe('the moment between listening and writing connection.json', () => {
  const policy = { token: 'a-token-of-enough-length-0123', allowedOrigins: [], allowedHosts: [], boundHost: '127.0.0.1' };
  const request = { host: '127.0.0.1:5173' };

  it('tells a client without the token to retry (503, 1001) instead of refusing it for good (401)', () => {
    expect(checkAccess(request, { ...policy, starting: true })).toMatchObject({ ok: false, status: 503, code: 1001 });
    expect(checkAccess({ ...request, authorization: `Bearer ${policy.token}` }, { ...policy, starting: true })).toMatchObject({ ok: true });
    expect(checkAccess(request, policy)).toMatchObject({ ok: false, status: 401, code: 1002 });
  });
});
