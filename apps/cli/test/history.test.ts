import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, makeProject, readTasks, run, runJson } from './helpers.js';

afterEach(cleanUp);

describe('taskmaster history', () => {
  it('lists snapshots taken before changes and restores one', async () => {
    const dir = await makeProject();
    await runJson(['add-task', '--title', 'First'], dir);
    const before = readTasks(dir);
    await runJson(['add-task', '--title', 'Second'], dir);
    expect(readTasks(dir).master.tasks).toHaveLength(2);

    const { snapshots } = await runJson(['history', 'list'], dir);
    expect(snapshots.length).toBeGreaterThan(0);
    for (const s of snapshots) {
      expect(s).toEqual({ id: expect.any(String), createdAt: expect.any(String), bytes: expect.any(Number), op: 'task.create', ids: [expect.any(String)], actor: 'cli', tag: 'master' });
    }
    const human = await run(['history'], dir);
    expect(human.stdout).toContain(snapshots[0].id);

    // The snapshot that holds exactly the one-task file is the one to restore.
    let restored = false;
    for (const s of snapshots) {
      const r = await runJson(['history', 'restore', s.id], dir);
      expect(r.restored).toBe(s.id);
      if (readTasks(dir).master.tasks.length === 1) {
        restored = true;
        break;
      }
    }
    expect(restored).toBe(true);
    expect(readTasks(dir).master.tasks.map((t: any) => t.title)).toEqual(before.master.tasks.map((t: any) => t.title));
  });

  it('exits 1 for an unknown snapshot', async () => {
    const dir = await makeProject();
    const r = await run(['history', 'restore', 'no-such-snapshot'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: invalid snapshot id "no-such-snapshot"/m);
  });
});
