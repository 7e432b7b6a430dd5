import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, makeProject, readTasks, run, runJson, start, startDaemon, tasksFile, waitForLine } from './helpers.js';

afterEach(cleanUp);

const task = (id: number, title: string) => ({ id, title, description: '', status: 'pending', priority: 'medium', dependencies: [], details: '', testStrategy: '', subtasks: [] });

describe('taskmaster put-back, after another program wrote over a change', () => {
  it('lists the change in sync server status while it stands, and puts it back', async () => {
    const dir = await makeProject();
    writeFileSync(tasksFile(dir), `${JSON.stringify({ master: { tasks: [task(1, 'Write the spec'), task(2, 'Ship it')], metadata: { created: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:00:00.000Z', description: '' } } }, null, 2)}\n`);
    await startDaemon(dir);
    const watch = start(['watch'], dir);
    await waitForLine(watch.stderr!, (line) => line.startsWith('watching '));
    // Another program reads the tag (as Task Master does before its lock), we change task 1 through the
    // server, then it writes back what it read with its own title: the priority it wrote back unchanged
    // shows its read was stale, so the title both changed is written over.
    const stale = readTasks(dir);
    expect((await run(['update-task', '--id', '1', '--title', 'Write the spec (ours)', '--priority', 'high'], dir)).code).toBe(0);
    stale.master.tasks[0].title = 'Write the spec (theirs)';
    writeFileSync(tasksFile(dir), `${JSON.stringify(stale, null, 2)}\n`);

    // Who watches hears it as it happens, in the same words, with the command that puts it back.
    const heard = await waitForLine(watch.stdout!, (line) => line.includes('sync.conflict'));
    expect(heard).toContain(`sync.conflict master#1 [title] Another program wrote over task 1's title, changed here meanwhile; its value was kept. Here: title "Write the spec (ours)". (put it back: taskmaster put-back --id 1 --tag master)`);

    const overridden = async () => ((await runJson(['sync', 'server', 'status', '--json'], dir)) as { overridden?: Array<{ tag: string; id: string; fields: string[] }> }).overridden;
    await expect.poll(overridden, { timeout: 10_000 }).toEqual([expect.objectContaining({ tag: 'master', id: '1', fields: ['title'] })]);
    const status = await run(['sync', 'server', 'status'], dir);
    expect(status.stdout).toContain(`master 1: Another program wrote over task 1's title, changed here meanwhile; its value was kept. Here: title "Write the spec (ours)".`);
    expect(status.stdout).toContain('put it back: taskmaster put-back --id 1 --tag master');

    // Nothing of task 2 was written over: a clear refusal, the file untouched.
    const none = await run(['put-back', '--id', '2'], dir);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('nothing of task 2 in tag master stands written over by another program');
    expect(none.stderr).toContain("'taskmaster sync server status' lists what stands written over");

    const putBack = await run(['put-back', '--id', '1'], dir);
    expect(putBack.code, putBack.stderr).toBe(0);
    expect(putBack.stdout).toBe('Put back task 1: title (tag master)\n');
    expect(readTasks(dir).master.tasks[0]).toMatchObject({ title: 'Write the spec (ours)', priority: 'high' });
    expect(await overridden()).toBeUndefined();
    expect((await run(['sync', 'server', 'status'], dir)).stdout).not.toContain('Written over');
    // Once put back, a second try has nothing to do.
    expect((await run(['put-back', '--id', '1'], dir)).code).toBe(1);
  });

  it('dismiss keeps what the other program wrote and drops the notice for every client, across restarts, with or without a server', async () => {
    const dir = await makeProject();
    writeFileSync(tasksFile(dir), `${JSON.stringify({ master: { tasks: [task(1, 'Write the spec'), task(2, 'Ship it')], metadata: { created: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:00:00.000Z', description: '' } } }, null, 2)}\n`);
    await startDaemon(dir);
    const overridden = async () => ((await runJson(['sync', 'server', 'status', '--json'], dir)) as { overridden?: Array<{ id: string }> }).overridden?.map((c) => c.id) ?? [];
    for (const id of [1, 2]) {
      const stale = readTasks(dir);
      expect((await run(['update-task', '--id', String(id), '--title', `Ours on ${id}`, '--priority', 'high'], dir)).code).toBe(0);
      stale.master.tasks[id - 1].title = `Theirs on ${id}`;
      writeFileSync(tasksFile(dir), `${JSON.stringify(stale, null, 2)}\n`);
      await expect.poll(overridden, { timeout: 10_000 }).toContain(String(id));
    }
    const status = await run(['sync', 'server', 'status'], dir);
    expect(status.stdout).toContain('keep what it wrote: taskmaster dismiss --id 2 --tag master');
    const watch = start(['watch'], dir);
    await waitForLine(watch.stderr!, (line) => line.startsWith('watching '));
    const before = readTasks(dir);

    const dismissed = await run(['dismiss', '--id', '2'], dir);
    expect(dismissed.code, dismissed.stderr).toBe(0);
    expect(dismissed.stdout).toBe('Dismissed task 2: title keeps what the other program wrote (tag master)\n');
    // Every client hears it; the file keeps the other program's title.
    expect(await waitForLine(watch.stdout!, (line) => line.includes('sync.conflict.dismissed'))).toContain("sync.conflict.dismissed master#2 the other program's value stays; the notice was dismissed");
    expect(await overridden()).toEqual(['1']);
    expect(readTasks(dir)).toEqual(before);
    // Once dismissed, nothing stands to dismiss or put back.
    const again = await run(['dismiss', '--id', '2'], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('nothing of task 2 in tag master stands written over by another program');
    expect((await run(['put-back', '--id', '2'], dir)).code).toBe(1);

    // A restarted server does not bring it back.
    expect((await run(['sync', 'server', 'stop'], dir)).code).toBe(0);
    await startDaemon(dir);
    expect(await overridden()).toEqual(['1']);

    // With no server, from what the last one kept: the next server does not announce it.
    expect((await run(['sync', 'server', 'stop'], dir)).code).toBe(0);
    const direct = await run(['dismiss', '--id', '1', '--json'], dir);
    expect(direct.code, direct.stderr).toBe(0);
    expect(JSON.parse(direct.stdout)).toEqual({ tag: 'master', id: '1', fields: ['title'], dismissed: true });
    expect(JSON.parse((await run(['sync', 'server', 'status', '--json'], dir)).stdout)).toEqual({ running: false });
    expect(readTasks(dir)).toEqual(before);
    await startDaemon(dir);
    expect(await overridden()).toEqual([]);
  });

  it('with no server running, puts back what the last server kept, checked against the file as it is now', async () => {
    const dir = await makeProject();
    writeFileSync(tasksFile(dir), `${JSON.stringify({ master: { tasks: [task(1, 'Write the spec'), task(2, 'Ship it')], metadata: { created: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:00:00.000Z', description: '' } } }, null, 2)}\n`);
    // Nothing ever written over here: a clear refusal, with no server as with one.
    const none = await run(['put-back', '--id', '1'], dir);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('nothing of task 1 in tag master stands written over by another program');

    await startDaemon(dir);
    for (const id of [1, 2]) {
      const stale = readTasks(dir);
      expect((await run(['update-task', '--id', String(id), '--title', `Ours on ${id}`, '--priority', 'high'], dir)).code).toBe(0);
      stale.master.tasks[id - 1].title = `Theirs on ${id}`;
      writeFileSync(tasksFile(dir), `${JSON.stringify(stale, null, 2)}\n`);
      const overridden = async () => ((await runJson(['sync', 'server', 'status', '--json'], dir)) as { overridden?: Array<{ id: string }> }).overridden?.map((c) => c.id);
      await expect.poll(overridden, { timeout: 10_000 }).toContain(String(id));
    }
    expect((await run(['sync', 'server', 'stop'], dir)).code).toBe(0);
    // Task 2 changed again while no server ran: nothing of it stands written over any more.
    const edited = readTasks(dir);
    edited.master.tasks[1].title = 'Edited by hand';
    writeFileSync(tasksFile(dir), `${JSON.stringify(edited, null, 2)}\n`);

    // With no server, status still says what the last one kept that stands: task 1, not task 2.
    const status = await run(['sync', 'server', 'status'], dir);
    expect(status.code).toBe(3);
    expect(status.stderr).toContain('No sync server is running for this project');
    expect(status.stdout).toContain('Written over by another program, as the last server kept it (1)');
    expect(status.stdout).toContain(`master 1: Another program wrote over task 1's title, changed here meanwhile; its value was kept. Here: title "Ours on 1".`);
    expect(status.stdout).toContain('put it back: taskmaster put-back --id 1 --tag master');
    expect(status.stdout).not.toContain('master 2:');
    const statusJson = await run(['sync', 'server', 'status', '--json'], dir);
    expect(statusJson.code).toBe(3);
    expect(JSON.parse(statusJson.stdout)).toEqual({ running: false, overridden: [expect.objectContaining({ tag: 'master', id: '1', fields: ['title'] })] });

    const putBack = await run(['put-back', '--id', '1', '--verbose'], dir);
    expect(putBack.code, putBack.stderr).toBe(0);
    expect(putBack.stderr).toContain('direct file write (no server running)');
    expect(putBack.stdout).toBe('Put back task 1: title (tag master)\n');
    expect(readTasks(dir).master.tasks.map((t: { title: string }) => t.title)).toEqual(['Ours on 1', 'Edited by hand']);
    expect((await run(['put-back', '--id', '1'], dir)).code).toBe(1);
    // Put back: nothing stands, so status lists nothing.
    expect(JSON.parse((await run(['sync', 'server', 'status', '--json'], dir)).stdout)).toEqual({ running: false });
    const two = await run(['put-back', '--id', '2'], dir);
    expect(two.code).toBe(1);
    expect(two.stderr).toContain('nothing of task 2 in tag master stands written over by another program');

    // What the server kept, damaged: said, and nothing written.
    writeFileSync(join(dir, '.taskmaster', 'tasks', 'history', 'overridden.json'), '{"version": 1, "notices": [');
    const before = readTasks(dir);
    const damaged = await run(['put-back', '--id', '1'], dir);
    expect(damaged.code).not.toBe(0);
    expect(damaged.stderr).toContain('tasks/history/overridden.json (what the last sync server kept of changes written over) is not JSON');
    expect(readTasks(dir)).toEqual(before);
    // Status says it could not read the file, and still that no server runs.
    const statusDamaged = await run(['sync', 'server', 'status'], dir);
    expect(statusDamaged.code).toBe(3);
    expect(statusDamaged.stderr).toContain('Could not read what the last sync server kept of changes written over');
    expect(statusDamaged.stderr).toContain('is not JSON');
    expect(statusDamaged.stderr).toContain('No sync server is running for this project');
  });
});
