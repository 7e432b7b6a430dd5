import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { createClient, discoverServer } from '@taskmaster/client';
import { SERVER_ENV, SERVER_NODE_FLAGS } from '@taskmaster/server/node-flags';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../src/process-state.js';
import {
  cleanUp,
  connectionFile,
  deadPid,
  emptyDir,
  makeProject,
  pidFile,
  readTasks,
  run,
  runJson,
  start,
  startDaemon,
  waitForLine,
} from './helpers.js';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await cleanUp();
});


describe('sync server daemon', () => {
  it('starts, reports its status, and stops cleaning up its files', async () => {
    const dir = await makeProject({ fixture: true });
    const started = await startDaemon(dir);
    expect(started.alreadyRunning).toBe(false);
    expect(started.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\//);
    expect(isAlive(started.pid)).toBe(true);
    expect(Number(readFileSync(pidFile(dir), 'utf8'))).toBe(started.pid);
    // The daemon runs with the server's memory flags (its RSS is what users see in `ps`).
    const cmdline = readFileSync(`/proc/${started.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toEqual(expect.arrayContaining([...SERVER_NODE_FLAGS]));
    // …and its environment (glibc's trim threshold keeps RssAnon down under sustained writes).
    const environ = readFileSync(`/proc/${started.pid}/environ`, 'utf8').split('\0');
    expect(environ).toEqual(expect.arrayContaining(Object.entries(SERVER_ENV).map(([k, v]) => `${k}=${v}`)));

    const status = await runJson(['sync', 'server', 'status'], dir);
    expect(status.running).toBe(true);
    expect(status.pid).toBe(started.pid);
    expect(status.urls.ws).toBe(started.wsUrl);
    const master = status.tags.find((t: any) => t.name === 'master');
    expect(master.taskCount).toBe(readTasks(dir).master.tasks.length);
    const human = await run(['sync', 'server', 'status'], dir);
    expect(human.stdout).toContain('running');

    const stopped = await runJson(['sync', 'server', 'stop'], dir);
    expect(stopped).toMatchObject({ stopped: true, pid: started.pid });
    expect(isAlive(started.pid)).toBe(false);
    expect(existsSync(connectionFile(dir))).toBe(false);
    expect(existsSync(pidFile(dir))).toBe(false);

    const after = await run(['sync', 'server', 'status', '--json'], dir);
    expect(after.code).toBe(3);
    expect(JSON.parse(after.stdout)).toEqual({ running: false });
    const again = await run(['sync', 'server', 'stop'], dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No sync server is running');
  });

  it('initialises a project without .taskmaster and never prints the token', async () => {
    const dir = emptyDir();
    const r = await run(['sync', 'server', 'start', '--port', '0', '--http-port', '0', '--generate-token'], dir);
    expect(r.code).toBe(0);
    expect(existsSync(connectionFile(dir))).toBe(true);
    const token = JSON.parse(readFileSync(connectionFile(dir), 'utf8')).token as string;
    expect(token.length).toBeGreaterThanOrEqual(16);
    expect(r.stdout + r.stderr).not.toContain(token);
    expect(r.stdout).toContain('connection.json');
    // The CLI reads the token from connection.json, so commands still work.
    expect((await runJson(['sync', 'server', 'status'], dir)).running).toBe(true);
  });

  it('says so when the server is already running', async () => {
    const dir = await makeProject();
    const first = await startDaemon(dir);
    const second = await run(['sync', 'server', 'start', '--port', '0', '--http-port', '0'], dir);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('already running');
    expect(second.stdout).toContain(first.wsUrl);
  });

  it('ignores and replaces a stale pid file', async () => {
    const dir = await makeProject();
    const pid = await deadPid();
    writeFileSync(pidFile(dir), `${pid}\n`);
    const r = await run(['sync', 'server', 'start', '--port', '0', '--http-port', '0'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('stale pid file');
    const conn = await discoverServer(dir);
    expect(conn).toBeDefined();
    expect(Number(readFileSync(pidFile(dir), 'utf8'))).toBe(conn!.pid);
  });

  it('fails clearly when the port is in use', async () => {
    const dir = await makeProject();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as net.AddressInfo).port;
    const r = await run(['sync', 'server', 'start', '--port', String(port), '--http-port', '0'], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(String(port));
    expect(r.stderr).toContain('--port');
    expect(existsSync(pidFile(dir))).toBe(false);
  });

  it('runs in the foreground until SIGTERM and closes gracefully', async () => {
    const dir = await makeProject();
    const child = start(['sync', 'server', 'start', '--foreground', '--port', '0', '--http-port', '0'], dir);
    await waitForLine(child.stdout!, (l) => l.includes('WebSocket:'));
    expect(existsSync(connectionFile(dir))).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(connectionFile(dir))).toBe(false);
    expect(existsSync(pidFile(dir))).toBe(false);
  });
});

describe('task verbs through a running server', () => {
  it('goes through the server, and a subscribed client sees the change at once', async () => {
    const dir = await makeProject({ fixture: true });
    await startDaemon(dir);
    const conn = (await discoverServer(dir))!;
    const client = createClient({ url: conn.wsUrl, token: conn.token, clientName: 'test', subscribe: ['task.*'], reconnect: false, polling: false });
    closers.push(() => client.close());
    await client.ready(5000);
    const seen = new Promise<any>((resolve) => client.on('task.status.changed', (p) => resolve(p)));
    const id = String(readTasks(dir).master.tasks[0].id);

    const r = await run(['set-status', '--id', id, '--status', 'review', '--verbose', '--json'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`via server ${conn.wsUrl}`);
    expect(JSON.parse(r.stdout).revision).toBeGreaterThan(0);
    expect(await seen).toMatchObject({ tag: 'master', id, to: 'review' });
    expect(readTasks(dir).master.tasks[0].status).toBe('review');

    const listed = await runJson(['list', '--verbose'], dir);
    expect(listed.tasks.length).toBe(readTasks(dir).master.tasks.length);
  });

  it('streams events to watch --json from a change made by another process', async () => {
    const dir = await makeProject({ fixture: true });
    await startDaemon(dir);
    const watch = start(['watch', '--json'], dir);
    await waitForLine(watch.stderr!, (l) => l.includes('watching'));
    const id = String(readTasks(dir).master.tasks[1].id);
    const event = waitForLine(watch.stdout!, (l) => l.includes('task.status.changed'));
    expect((await run(['set-status', `--id=${id}`, '--status=blocked'], dir)).code).toBe(0);
    expect(JSON.parse(await event)).toMatchObject({ event: 'task.status.changed', payload: { id, to: 'blocked' } });
  });

  it('prints a switch of the current tag in watch, made by use-tag in another process', async () => {
    const dir = await makeProject({ fixture: true });
    await startDaemon(dir);
    const watch = start(['watch'], dir);
    await waitForLine(watch.stderr!, (l) => l.includes('watching'));
    const line = waitForLine(watch.stdout!, (l) => l.includes('tag.current.changed'));
    expect((await run(['use-tag', 'loop'], dir)).code).toBe(0);
    expect(await line).toContain('now on tag "loop" (was "master")');
  });

  it('says what to do about a read-only tasks.json, and only that, with the server and without', async () => {
    const dir = await makeProject({ fixture: true });
    const file = `${dir}/.taskmaster/tasks/tasks.json`;
    const before = readFileSync(file, 'utf8');
    const id = String(readTasks(dir).master.tasks[0].id);
    chmodSync(file, 0o444);
    try {
      const direct = await run(['set-status', '--id', id, '--status', 'review'], dir);
      await startDaemon(dir);
      const served = await run(['set-status', '--id', id, '--status', 'review', '--verbose'], dir);
      expect(served.stderr).toContain('via server');
      for (const r of [direct, served]) {
        expect(r.code, r.stderr).toBe(4);
        expect(r.stderr).toContain('tasks.json is read-only (mode 0444); nothing was written; make it writable to allow changes');
        // 1005 also means a lock: its fix (wait, or take a stale lock over) is no use for a mode.
        expect(r.stderr).not.toMatch(/sync --force|wait for it/);
      }
      expect(readFileSync(file, 'utf8')).toBe(before);
    } finally {
      chmodSync(file, 0o644);
    }
  });

  it('starts the server itself with --auto-sync', async () => {
    const dir = await makeProject();
    // Free ports, autoSync left off: the defaults (5173/5174) may be taken by another test, or by Vite on a developer's machine.
    const configFile = `${dir}/.taskmaster/config/sync.json`;
    writeFileSync(configFile, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), port: 0, httpPort: 0 }));
    const r = await run(['add-task', '--title', 'Auto', '--auto-sync', '--verbose'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('via server');
    const conn = await discoverServer(dir);
    expect(conn).toBeDefined();
    expect(readTasks(dir).master.tasks.map((t: any) => t.title)).toEqual(['Auto']);
  });

  it('starts the server itself when autoSync is on in config/sync.json, unless --no-auto-sync', async () => {
    const dir = await makeProject();
    const configFile = `${dir}/.taskmaster/config/sync.json`;
    const config = JSON.parse(readFileSync(configFile, 'utf8'));
    writeFileSync(configFile, JSON.stringify({ ...config, autoSync: true, port: 0, httpPort: 0 }));
    const off = await run(['add-task', '--title', 'Direct', '--no-auto-sync', '--verbose'], dir);
    expect(off.stderr).toContain('direct file write');
    expect(await discoverServer(dir)).toBeUndefined();
    const on = await run(['add-task', '--title', 'Served', '--verbose'], dir);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stderr).toContain('via server');
  });
});

describe('taskmaster sync', () => {
  it('exits 3 without a server', async () => {
    const dir = await makeProject();
    for (const args of [['sync'], ['sync', '--force']]) {
      const r = await run(args, dir);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('sync server start');
    }
  });

  it('reloads the file on the server and reports what changed', async () => {
    const dir = await makeProject({ fixture: true });
    await startDaemon(dir);
    const plain = await runJson(['sync'], dir);
    expect(plain.counts).toEqual(expect.objectContaining({ created: expect.any(Number), updated: expect.any(Number) }));
    const forced = await runJson(['sync', '--force'], dir);
    expect(forced.revision).toBeGreaterThanOrEqual(plain.revision);
    const human = await run(['sync', '--force'], dir);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('Synced at revision');
  });
});
