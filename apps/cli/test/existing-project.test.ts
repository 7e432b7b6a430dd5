import { createServer } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, emptyDir, FIXTURE, run, tasksFile } from './helpers.js';

afterEach(cleanUp);

/** A project as Task Master leaves it: `.taskmaster/tasks/tasks.json` and `state.json`, nothing of ours. */
function taskMasterProject(): string {
  const dir = emptyDir();
  mkdirSync(path.join(dir, '.taskmaster', 'tasks'), { recursive: true });
  writeFileSync(tasksFile(dir), readFileSync(FIXTURE));
  writeFileSync(path.join(dir, '.taskmaster', 'state.json'), '{"currentTag":"master"}\n');
  return dir;
}

describe('sync server start on an existing Task Master project', () => {
  it('adds what is missing of our layout, returns 0 with the URL within seconds, and leaves Task Master’s files alone', async () => {
    const dir = taskMasterProject();
    const tasksBefore = readFileSync(tasksFile(dir));
    const started = Date.now();
    const r = await run(['sync', 'server', 'start', '--port', '0', '--http-port', '0'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.stdout).toMatch(/WebSocket: ws:\/\/127\.0\.0\.1:\d+\/taskmaster/);
    for (const made of ['config/sync.json', 'config/connection.json', 'logs/sync.log']) {
      expect(existsSync(path.join(dir, '.taskmaster', made)), made).toBe(true);
    }
    expect(readFileSync(path.join(dir, '.taskmaster', 'state.json'), 'utf8')).toBe('{"currentTag":"master"}\n');
    expect(readFileSync(tasksFile(dir)).equals(tasksBefore)).toBe(true);
    const list = await run(['list', '--json'], dir);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { tasks: unknown[] }).tasks.length).toBeGreaterThan(20);
  });

  it('exits 1 with the port error, promptly, when the port is taken', async () => {
    const dir = taskMasterProject();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await run(['sync', 'server', 'start', '--port', String(port), '--http-port', '0'], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`port ${port} is in use`));
    } finally {
      blocker.close();
    }
  });
});
