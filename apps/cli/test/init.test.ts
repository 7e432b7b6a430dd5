import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, emptyDir, readTasks, run, runJson } from './helpers.js';

afterEach(cleanUp);

describe('taskmaster init', () => {
  it('creates .taskmaster with an empty tasks file and lists what it created', async () => {
    const dir = emptyDir();
    const r = await run(['init'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('created');
    expect(existsSync(path.join(dir, '.taskmaster', 'tasks', 'tasks.json'))).toBe(true);
    expect(existsSync(path.join(dir, '.taskmaster', 'config', 'sync.json'))).toBe(true);
    expect(readTasks(dir).master.tasks).toEqual([]);
  });

  it('is idempotent: a second run creates nothing and keeps the tasks', async () => {
    const dir = emptyDir();
    const first = await runJson(['init'], dir);
    expect(first.created.length).toBeGreaterThan(0);
    await runJson(['add-task', '--title', 'Keep me'], dir);
    const second = await runJson(['init'], dir);
    expect(second.created).toEqual([]);
    expect(second.alreadyInitialized).toBe(true);
    expect(readTasks(dir).master.tasks.map((t: any) => t.title)).toEqual(['Keep me']);
    const human = await run(['init'], dir);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('already');
  });

  it('honours --root', async () => {
    const dir = emptyDir();
    const other = emptyDir();
    expect((await run(['init', '--root', other], dir)).code).toBe(0);
    expect(existsSync(path.join(other, '.taskmaster'))).toBe(true);
    expect(existsSync(path.join(dir, '.taskmaster'))).toBe(false);
  });
});
