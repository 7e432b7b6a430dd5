import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- the CLI has no @types/ws
import WebSocket from 'ws';
import { cleanUp, connectionToken, makeProject, readTasks, run, runJson, start, startDaemon, waitForLine } from './helpers.js';

afterEach(cleanUp);

/** The server package's self-signed test certificate (test/fixtures/tls/README.md there). */
const TLS_DIR = fileURLToPath(new URL('../../../packages/server/test/fixtures/tls/', import.meta.url));
const CERT = path.join(TLS_DIR, 'localhost.crt');
const KEY = path.join(TLS_DIR, 'localhost.key');
const serverCert = (dir: string) => path.join(dir, '.taskmaster', 'config', 'server.crt');

/** Opens `url` trusting only the test certificate and does a JSON-RPC ping, with the token of `dir`'s connection.json. */
async function pingWithCa(url: string, dir: string): Promise<unknown> {
  const headers = { Authorization: `Bearer ${connectionToken(dir)}` };
  const ws = new WebSocket(url, { ca: readFileSync(CERT), headers });
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const answer = new Promise<unknown>((resolve) => ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()))));
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
    return await answer;
  } finally {
    ws.terminate();
  }
}

describe('sync server start --cert --key', () => {
  it('serves wss:// and https:// in the foreground until SIGTERM', async () => {
    const dir = await makeProject();
    const child = start(['sync', 'server', 'start', '--foreground', '--port', '0', '--http-port', '0', '--cert', CERT, '--key', KEY], dir);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    // The HTTP line is printed right after the WebSocket one.
    await waitForLine(child.stdout!, (l) => l.includes('Ctrl-C'));
    const wsUrl = /WebSocket: (\S+)/.exec(out)?.[1];
    expect(wsUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\//);
    expect(/HTTP: +(\S+)/.exec(out)?.[1]).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await pingWithCa(wsUrl!, dir)).toMatchObject({ jsonrpc: '2.0', id: 1, result: expect.anything() });
    expect(readFileSync(serverCert(dir), 'utf8')).toBe(readFileSync(CERT, 'utf8'));

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(serverCert(dir))).toBe(false);
  });

  it('runs as a daemon given file paths, and the CLI’s own verbs reach it over wss://', async () => {
    const dir = await makeProject({ fixture: true });
    const started = await startDaemon(dir, ['--cert', CERT, '--key', KEY, '--generate-token']);
    expect(started.wsUrl).toMatch(/^wss:\/\//);
    expect(started.httpUrl).toMatch(/^https:\/\//);
    // The daemon got the paths, never the PEM contents.
    const argv = readFileSync(`/proc/${started.pid}/cmdline`, 'utf8').split('\0');
    expect(argv).toEqual(expect.arrayContaining(['--cert', CERT, '--key', KEY]));
    expect(argv.join(' ')).not.toContain('BEGIN');

    const status = await runJson(['sync', 'server', 'status'], dir);
    expect(status).toMatchObject({ running: true, pid: started.pid, urls: { ws: started.wsUrl } });
    const id = String(readTasks(dir).master.tasks[0].id);
    const r = await run(['set-status', '--id', id, '--status', 'review', '--verbose'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`via server ${started.wsUrl}`);
    expect(readTasks(dir).master.tasks[0].status).toBe('review');

    expect((await run(['sync', 'server', 'stop'], dir)).code).toBe(0);
    expect(existsSync(serverCert(dir))).toBe(false);
  });

  it('exits 1 naming the file and the flag when the key file is missing', async () => {
    const dir = await makeProject();
    const missing = path.join(dir, 'nope.key');
    const r = await run(['sync', 'server', 'start', '--port', '0', '--http-port', '0', '--cert', CERT, '--key', missing], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(missing);
    expect(r.stderr).toContain('--key');
    expect(existsSync(path.join(dir, '.taskmaster', 'config', 'connection.json'))).toBe(false);
  });

  it('exits 1 when only one of --cert and --key is given', async () => {
    const dir = await makeProject();
    for (const args of [['--cert', CERT], ['--key', KEY]]) {
      const r = await run(['sync', 'server', 'start', '--foreground', '--port', '0', '--http-port', '0', ...args], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/--cert and --key are both needed/);
    }
  });
});
