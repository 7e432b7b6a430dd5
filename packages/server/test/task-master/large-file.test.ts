import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, cleanup, makeProject, smallFile, startServer } from '../helpers.js';
import { describeRun, lockFailure, readNormalised, runTaskMaster, settled, quiet, taskOf, tasksFile } from './harness.js';

/*
 * A file of 4 MB or more keeps none of its text in the server's memory: each
 * commit after the first writes the changed tasks' new bytes and copies the
 * others from the file in place (store: serialize-tasks-file.ts). The store's
 * tests compare those bytes with JSON.stringify; here the real Task Master
 * reads such a file, writes it, and the server writes again on top of it.
 */

afterEach(cleanup);

const TASKS = 2000;
/** `TASKS` tasks of about 2.3 KB each: 4.6 MB, over the 4 MB from which ranges are copied. */
function largeFile(): unknown {
  const file = smallFile(TASKS) as { master: { tasks: Array<{ id: number; details: string }> } };
  for (const task of file.master.tasks) task.details = `Details of task ${task.id}: ${'keep the board in step with the file. '.repeat(55)}`;
  return file;
}

describe('the real Task Master on a file of 4 MB or more written from ranges', () => {
  it('reads what our server wrote, writes on top of it, and the server writes on top of that', async () => {
    const root = await makeProject(largeFile());
    expect((await readFile(tasksFile(root))).length).toBeGreaterThan(4 * 1024 * 1024);
    const server = await startServer(root, { token: false });
    const watcher = await RawClient.connect(server.wsUrl);
    await watcher.result('subscribe', { events: ['*'] });
    const writer = await RawClient.connect(server.wsUrl);
    const mid = TASKS / 2;

    // The first commit is encoded from memory; the next two copy their unchanged tasks from the file it left.
    await writer.result('task.update', { id: 1, title: 'Ours on the first' });
    await writer.result('task.update', { id: mid, title: 'Ours in the middle' });
    await writer.result('task.update', { id: TASKS, title: 'Ours on the last' });
    await quiet(watcher, 300);
    const text = await readFile(tasksFile(root), 'utf8');
    // Task Master's own format, byte for byte, with the newline the file was made with.
    expect(text === `${JSON.stringify(JSON.parse(text), null, 2)}\n`).toBe(true);

    const show = await runTaskMaster(root, ['show', String(mid)], { timeoutMs: 120_000 });
    expect(show.code, describeRun(show)).toBe(0);
    expect(show.stdout).toContain('Ours in the middle');

    const mark = watcher.messages.length;
    const run = await runTaskMaster(root, ['set-status', '--id=2', '--status=done'], { timeoutMs: 120_000 });
    expect(run.code, describeRun(run)).toBe(0);
    expect(lockFailure(run), describeRun(run)).toBeUndefined();
    await settled(watcher, mark);

    // After Task Master's write the server encodes from memory once, then copies from its own file again.
    await writer.result('task.update', { id: 3, title: 'Ours after Task Master' });
    await writer.result('task.update', { id: 4, title: 'Ours once more' });
    await quiet(watcher, 300);
    const file = await readNormalised(root);
    expect(file.master!.tasks).toHaveLength(TASKS);
    expect([1, mid, TASKS, 3, 4].map((id) => taskOf(file, 'master', id).title)).toEqual([
      'Ours on the first',
      'Ours in the middle',
      'Ours on the last',
      'Ours after Task Master',
      'Ours once more',
    ]);
    expect(taskOf(file, 'master', 2).status).toBe('done');
    // Task Master writes no newline at the end, and the server keeps the file that way.
    const after = await readFile(tasksFile(root), 'utf8');
    expect(after === JSON.stringify(JSON.parse(after), null, 2)).toBe(true);
    // Every other task is as it was made.
    const made = largeFile() as { master: { tasks: Array<{ id: number; details: string }> } };
    for (const id of [5, mid + 1, TASKS - 1]) expect(taskOf(file, 'master', id).details).toBe(made.master.tasks[id - 1]!.details);
  }, 300_000);
});
