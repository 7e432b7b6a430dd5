import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, cleanup, makeProject, smallFile, startServer } from '../helpers.js';
import type { SyncServer } from '../../src/index.js';
import {
  describeRun,
  lockFailure,
  normalise,
  quiet,
  readNormalised,
  runTaskMaster,
  settled,
  startHeldTaskMaster,
  startOutsideWriter,
  taskOf,
  tasksFile,
  type NormalFile,
} from './harness.js';

/*
 * An outside writer that read tasks.json before one of our commits and then
 * writes its whole copy back (Task Master's writeJSON does exactly that with a
 * tag) must not take our commit with it. These tests drive a small child
 * process that clobbers on cue, so each case is deterministic and fast. The
 * last describe runs the real Task Master, and holds it at that point of its
 * own code (after its read, before its lock: hold-before-lock.cjs) for the races.
 */

afterEach(cleanup);

type Event = { event: string; params: Record<string, unknown> };

/** Two tags: `master` (6 tasks, task 1 with a subtask) and `feature` (3 tasks). */
function twoTags(): unknown {
  const master = (smallFile(6) as { master: unknown }).master;
  const feature = {
    tasks: [1, 2, 3].map((id) => ({
      id,
      title: `Feature ${id}`,
      description: '',
      details: '',
      testStrategy: '',
      status: 'pending',
      priority: 'medium',
      dependencies: [],
      subtasks: [],
    })),
    metadata: { created: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:00:00.000Z', description: 'Feature branch tasks' },
  };
  return { master, feature };
}

/** A project with the server on it (no token: that default is changing elsewhere) and a client subscribed to everything. */
async function serving(tasks: unknown = twoTags()) {
  const root = await makeProject(tasks);
  const server = await startServer(root, { token: false });
  const watcher = await RawClient.connect(server.wsUrl);
  await watcher.result('subscribe', { events: ['*'] });
  const writer = await RawClient.connect(server.wsUrl);
  return { root, server, watcher, writer };
}

/** Task events (and conflicts) the watcher received from message index `from` on. */
function eventsSince(client: RawClient, from: number): Event[] {
  return client.messages
    .slice(from)
    .filter((m) => m.jsonrpc === '2.0' && 'method' in m && !('id' in m))
    .map((m) => ({ event: m.method as string, params: m.params as Record<string, unknown> }))
    .filter((e) => e.event.startsWith('task.') || e.event === 'sync.conflict');
}

/**
 * The real Task Master running `args`, held after its read and before its lock (startHeldTaskMaster) while
 * `ours` (`task.update`s of tag master) are committed through the server, then let go: the race its users
 * hit, made certain. Resolves with the project and the events from then on, once the server has settled.
 */
async function racingTaskMaster(
  args: string[],
  ours: Array<{ id: number; changes: Record<string, unknown> }> | ((writer: RawClient) => Promise<void>),
): Promise<{ root: string; server: SyncServer; after: Event[] }> {
  const { root, server, watcher, writer } = await serving();
  const taskMaster = await startHeldTaskMaster(root, args);
  if (typeof ours === 'function') await ours(writer);
  else for (const update of ours) await writer.result('task.update', { tag: 'master', ...update });
  await quiet(watcher, 300);
  const mark = watcher.messages.length;
  const run = await taskMaster.release();
  expect(run.code, describeRun(run)).toBe(0);
  expect(lockFailure(run), describeRun(run)).toBeUndefined();
  await settled(watcher, mark);
  return { root, server, after: eventsSince(watcher, mark) };
}

const summary = (events: Event[]) => events.map((e) => `${e.event}:${e.params.tag}/${e.params.id}`);

describe('an outside write made from a stale read', () => {
  it('keeps our committed change to task 3 when the stale write edits task 5; clients hear of task 5 only', async () => {
    const { root, watcher, writer } = await serving();
    // Reads the version before our change, as Task Master reads before taking the lock.
    const outside = await startOutsideWriter(root, { edits: [{ tag: 'master', id: 5, set: { title: 'Theirs on 5' } }], lock: true });
    await writer.result('task.update', { id: 3, tag: 'master', title: 'Ours on 3' });
    await quiet(watcher, 300);

    const mark = watcher.messages.length;
    await outside.write();
    await settled(watcher, mark);

    const file = await readNormalised(root);
    expect({ 3: taskOf(file, 'master', 3).title, 5: taskOf(file, 'master', 5).title }).toEqual({ 3: 'Ours on 3', 5: 'Theirs on 5' });
    const after = eventsSince(watcher, mark);
    // Exactly their change: no revert of task 3 (and no re-apply after one).
    expect(summary(after)).toEqual(['task.updated:master/5']);
    expect(after[0]!.params).toMatchObject({ changed: ['title'], task: { title: 'Theirs on 5' } });
    const served = await writer.result<{ task: { title: string } }>('task.get', { id: 3, tag: 'master' });
    expect(served.task.title).toBe('Ours on 3');
  });

  it('keeps every one of 150 updates committed while the stale writer was busy (more versions than a count cap would keep)', async () => {
    const { root, watcher, writer } = await serving();
    // Task Master starts, reads, and writes back seconds later; at full speed we commit hundreds of versions meanwhile.
    const outside = await startOutsideWriter(root, { edits: [{ tag: 'master', id: 5, set: { title: 'Theirs on 5' } }], lock: true });
    for (let i = 0; i < 150; i++) await writer.result('task.update', { id: (i % 4) + 1, tag: 'master', details: `ours ${i}` });
    await quiet(watcher, 300);

    const mark = watcher.messages.length;
    await outside.write();
    await settled(watcher, mark);

    const file = await readNormalised(root);
    expect([1, 2, 3, 4].map((id) => taskOf(file, 'master', id).details)).toEqual(['ours 148', 'ours 149', 'ours 146', 'ours 147']);
    expect(taskOf(file, 'master', 5).title).toBe('Theirs on 5');
    expect(summary(eventsSince(watcher, mark))).toEqual(['task.updated:master/5']);
  });

  it('takes an exact older version (an undo, a git checkout) as it is, and tells clients of the revert', async () => {
    const { root, watcher, writer } = await serving();
    const before = await readFile(tasksFile(root));
    const outside = await startOutsideWriter(root, { verbatim: true });
    await writer.result('task.update', { id: 3, tag: 'master', title: 'Ours on 3' });
    await quiet(watcher, 300);

    const mark = watcher.messages.length;
    await outside.write();
    await settled(watcher, mark);

    // Byte for byte the old version: nothing merged back into it.
    expect((await readFile(tasksFile(root))).equals(before)).toBe(true);
    const after = eventsSince(watcher, mark);
    expect(summary(after)).toEqual(['task.updated:master/3']);
    expect(after[0]!.params).toMatchObject({ changed: ['title'], task: { title: 'Task 3' } });
    const served = await writer.result<{ task: { title: string } }>('task.get', { id: 3, tag: 'master' });
    expect(served.task.title).toBe('Task 3');
  });

  it('lets the outside writer win a field both sides changed, keeps our other field, and sends sync.conflict with both values', async () => {
    const { root, server, watcher, writer } = await serving();
    const outside = await startOutsideWriter(root, { edits: [{ tag: 'master', id: 3, set: { title: 'Theirs on 3' } }] });
    await writer.result('task.update', { id: 3, tag: 'master', changes: { title: 'Ours on 3', priority: 'high' } });
    await quiet(watcher, 300);
    const { revision: before, epoch } = await writer.result<{ revision: number; epoch: string }>('sync.status');

    const mark = watcher.messages.length;
    await outside.write();
    await settled(watcher, mark);

    const task = taskOf(await readNormalised(root), 'master', 3);
    expect({ title: task.title, priority: task.priority }).toEqual({ title: 'Theirs on 3', priority: 'high' });
    const after = eventsSince(watcher, mark);
    const conflicts = after.filter((e) => e.event === 'sync.conflict');
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.params).toMatchObject({
      tag: 'master',
      id: '3',
      fields: ['title'],
      ours: { title: 'Ours on 3' },
      theirs: { title: 'Theirs on 3' },
    });
    // Clients move to the outside value; our priority was never taken away.
    const updates = after.filter((e) => e.event.startsWith('task.'));
    expect(summary(updates)).toEqual(['task.updated:master/3']);
    expect(updates[0]!.params).toMatchObject({ changed: ['title'], task: { title: 'Theirs on 3', priority: 'high' } });
    // In the change log: a client that was away (polling, or back from a disconnect) pulls the conflict too.
    const pulled = await writer.result<{ events: Array<{ event: string; payload: Record<string, unknown> }> }>('sync.pull', { since: before, epoch });
    expect(pulled.events.filter((e) => e.event === 'sync.conflict').map((e) => e.payload)).toEqual([{ ...conflicts[0]!.params, revision: expect.any(Number) }]);
    // A client that opens now, with no revision to pull from, learns of it from sync.status while it stands.
    const opened = await RawClient.connect(server.wsUrl);
    const overridden = async () => (await opened.result<{ overridden?: unknown[] }>('sync.status')).overridden;
    expect(await overridden()).toEqual([{ ...conflicts[0]!.params, revision: expect.any(Number) }]);
    await writer.result('task.update', { id: 3, tag: 'master', changes: { title: 'Ours on 3' } });
    expect(await overridden()).toBeUndefined();
  });

  it('keeps both when the outside write changed tag feature while we changed tag master, each tag untouched otherwise', async () => {
    const { root, watcher, writer } = await serving();
    const outside = await startOutsideWriter(root, { edits: [{ tag: 'feature', id: 2, set: { title: 'Theirs on feature 2' } }] });
    await writer.result('task.update', { id: 2, tag: 'master', title: 'Ours on master 2' });
    await quiet(watcher, 300);
    // Our version of master, as committed, before the outside write.
    const ours = await readNormalised(root);

    const mark = watcher.messages.length;
    await outside.write();
    await settled(watcher, mark);

    const file = await readNormalised(root);
    const expectedFeature = normalise(twoTags()).feature!;
    expectedFeature.tasks[1] = { ...expectedFeature.tasks[1]!, title: 'Theirs on feature 2' };
    expect(file.master!.tasks).toEqual(ours.master!.tasks);
    expect(file.feature!.tasks).toEqual(expectedFeature.tasks);
    expect(summary(eventsSince(watcher, mark))).toEqual(['task.updated:feature/2']);
  });
});

describe('the real Task Master on the real fixture', () => {
  it('set-status of one task yields that task’s events only, not one per id Task Master flipped', async () => {
    const root = await makeProject('fixture');
    const server = await startServer(root, { token: false });
    const watcher = await RawClient.connect(server.wsUrl);
    await watcher.result('subscribe', { events: ['*'] });
    const before: NormalFile = await readNormalised(root);
    // A master task that is not yet in review, so the change is real.
    const target = before.master!.tasks.find((t) => t.status !== 'review' && t.subtasks.length === 0)!;
    const from = target.status as string;

    const mark = watcher.messages.length;
    const run = await runTaskMaster(root, ['set-status', `--id=${target.id}`, '--status=review']);
    expect(run.code, describeRun(run)).toBe(0);
    expect(lockFailure(run), describeRun(run)).toBeUndefined();
    await settled(watcher, mark);

    const after = eventsSince(watcher, mark);
    // Counted first, so a failure reads "600 events for 628 tasks" instead of listing them all.
    const touched = [...new Set(after.map((e) => String(e.params.id)))];
    expect(after.length, `${after.length} events for ${touched.length} tasks/subtasks (${touched.slice(0, 6).join(', ')}…)`).toBe(2);
    // What a status change makes in this codebase: task.updated (with `status`) and task.status.changed, for that task.
    expect(summary(after).sort()).toEqual([`task.status.changed:master/${target.id}`, `task.updated:master/${target.id}`]);
    expect(after.find((e) => e.event === 'task.status.changed')!.params).toMatchObject({ from, to: 'review' });
    expect(after.find((e) => e.event === 'task.updated')!.params.changed).toContain('status');
    expect(taskOf(await readNormalised(root), 'master', target.id).status).toBe('review');
  }, 90_000);

  it('(premise) held before its lock, set-status and add-dependency write back the tag as they read it: a change made meanwhile is lost', async () => {
    // What the next two tests guard against, with no server running: each of Task Master's two lock paths.
    for (const [args, id] of [[['set-status', '--id=3', '--status=done'], 3], [['add-dependency', '--id=4', '--depends-on=1'], 4]] as const) {
      const root = await makeProject(twoTags());
      const taskMaster = await startHeldTaskMaster(root, [...args]);
      const data = JSON.parse(await readFile(tasksFile(root), 'utf8')) as { master: { tasks: Array<{ id: number; title: string }> } };
      data.master.tasks.find((t) => t.id === id)!.title = 'Changed meanwhile';
      await writeFile(tasksFile(root), JSON.stringify(data, null, 2));
      const run = await taskMaster.release();
      expect(run.code, describeRun(run)).toBe(0);
      expect(taskOf(await readNormalised(root), 'master', id).title, args.join(' ')).toBe(`Task ${id}`);
    }
  }, 120_000);

  it('lets set-status from a read made before our commit win the status, keeps our title, and sends sync.conflict with both', async () => {
    // The race of the last describe's scripted writer, with Task Master's own code: held after it loaded
    // the tag and before its lock (hold-before-lock.cjs), it writes task 3 back as it read it, plus its status.
    const { root, after } = await racingTaskMaster(['set-status', '--id=3', '--status=done'], [{ id: 3, changes: { title: 'Ours on 3', status: 'in-progress' } }]);
    const task = taskOf(await readNormalised(root), 'master', 3);
    expect({ title: task.title, status: task.status }).toEqual({ title: 'Ours on 3', status: 'done' });
    const conflicts = after.filter((e) => e.event === 'sync.conflict');
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.params).toMatchObject({ tag: 'master', id: '3', ours: { status: 'in-progress' }, theirs: { status: 'done' } });
    expect(conflicts[0]!.params.fields).toContain('status');
    // Clients move to Task Master's status; our title was never taken away.
    const updates = after.filter((e) => e.event.startsWith('task.'));
    expect(updates.map((e) => e.params.task)).toContainEqual(expect.objectContaining({ title: 'Ours on 3', status: 'done' }));
    expect(updates.some((e) => (e.params.task as { title?: string } | undefined)?.title === 'Task 3')).toBe(false);
  }, 120_000);

  it('keeps our title on the task add-dependency changes from a read made before our commit (its other lock path), with no conflict', async () => {
    const { root, after } = await racingTaskMaster(['add-dependency', '--id=4', '--depends-on=1'], [{ id: 4, changes: { title: 'Ours on 4', priority: 'high' } }]);
    const task = taskOf(await readNormalised(root), 'master', 4);
    expect({ title: task.title, priority: task.priority, dependencies: task.dependencies }).toEqual({ title: 'Ours on 4', priority: 'high', dependencies: ['1'] });
    expect(after.filter((e) => e.event === 'sync.conflict')).toEqual([]);
    // Their change only: clients never see our title taken away and put back.
    expect(summary(after)).toEqual(['task.updated:master/4']);
    expect(after[0]!.params).toMatchObject({ changed: ['dependencies'], task: { title: 'Ours on 4', priority: 'high' } });
  }, 120_000);

  // Taken as it is when our only change was to the task it deletes; merged when it also lacks one to another task.
  for (const [ours, path] of [[[5], 'taken whole'], [[5, 3], 'merged with our change to task 3']] as const) {
    it(`keeps the delete of remove-task from a read made before our commit, and the task as it was here in history (${path})`, async () => {
      const { root, server, after } = await racingTaskMaster(['remove-task', '--id=5', '--yes'], ours.map((id) => ({ id, changes: { title: `Ours on ${id}` } })));
      const file = await readNormalised(root);
      expect(file.master!.tasks.map((t) => t.id)).toEqual(['1', '2', '3', '4', '6']);
      expect(taskOf(file, 'master', 3).title).toBe(ours.length > 1 ? 'Ours on 3' : 'Task 3');
      // A delete made from a read before our change reads the same as one made after it: no conflict to tell (see
      // planOutsideWrite's base rule), and clients hear of the delete.
      expect(summary(after)).toEqual(['task.deleted:master/5']);
      // What task 5 held here is restorable: the newest snapshot has it.
      const client = await RawClient.connect(server.wsUrl);
      const { snapshots } = await client.result<{ snapshots: Array<{ id: string }> }>('history.list');
      await client.result('history.restore', { id: snapshots[0]!.id });
      expect(taskOf(await readNormalised(root), 'master', 5).title).toBe('Ours on 5');
    }, 120_000);
  }

  it('keeps our title on the task add-subtask adds to from a read made before our commit', async () => {
    const { root, after } = await racingTaskMaster(['add-subtask', '--parent=2', '--title=From Task Master'], [{ id: 2, changes: { title: 'Ours on 2', priority: 'high' } }]);
    const task = taskOf(await readNormalised(root), 'master', 2);
    expect({ title: task.title, priority: task.priority, subtasks: task.subtasks.map((s) => s.title) }).toEqual({ title: 'Ours on 2', priority: 'high', subtasks: ['From Task Master'] });
    expect(after.filter((e) => e.event === 'sync.conflict')).toEqual([]);
    expect(summary(after)).toEqual(['task.created:master/2.1']);
  }, 120_000);

  it('keeps both task 7s when add-task read before ours were made, and our task depending on ours follows it to its new id', async () => {
    // add-task numbers its task from its read (max + 1) and writes the tag back as it read it: our two tasks made
    // meanwhile, the first under the id Task Master takes, are merged back, ours renumbered after its.
    const { root, server } = await racingTaskMaster(['add-task', '--title=From Task Master', '--description=Made by Task Master'], async (writer) => {
      const first = await writer.result<{ id: string }>('task.create', { tag: 'master', task: { title: 'Ours first' } });
      expect(first.id).toBe('7');
      await writer.result('task.create', { tag: 'master', parentId: 7, task: { title: 'Ours first, step one' } });
      await writer.result('task.create', { tag: 'master', parentId: 7, task: { title: 'Ours first, step two', dependencies: [1] } });
      await writer.result('task.create', { tag: 'master', task: { title: 'Ours second', dependencies: [7] } });
    });

    const file = await readNormalised(root);
    const byTitle = (title: string) => file.master!.tasks.find((t) => t.title === title)!;
    expect(file.master!.tasks.map((t) => [t.id, t.title])).toEqual([
      ...[1, 2, 3, 4, 5, 6].map((id) => [String(id), `Task ${id}`]),
      ['7', 'From Task Master'],
      ['8', 'Ours first'],
      ['9', 'Ours second'],
    ]);
    expect(byTitle('Ours second').dependencies).toEqual(['8']);
    expect(byTitle('Ours first').subtasks.map((s) => [s.id, s.title, s.dependencies])).toEqual([
      ['1', 'Ours first, step one', []],
      ['2', 'Ours first, step two', ['1']],
    ]);
    expect(byTitle('From Task Master').dependencies).toEqual([]);
    // Our subtasks' parentTaskId (our store writes it, as Task Master does) names their task's new id.
    const raw = JSON.parse(await readFile(tasksFile(root), 'utf8')) as { master: { tasks: Array<{ title: string; subtasks?: Array<{ parentTaskId?: unknown }> }> } };
    expect(raw.master.tasks.find((t) => t.title === 'Ours first')!.subtasks!.map((s) => String(s.parentTaskId))).toEqual(['8', '8']);
    // Clients are served the same.
    const client = await RawClient.connect(server.wsUrl);
    const served = await client.result<{ tasks: Array<{ id: unknown; title: string; dependencies?: unknown[] }> }>('tasks.list', { tag: 'master' });
    expect(served.tasks.slice(6).map((t) => [String(t.id), t.title, (t.dependencies ?? []).map(String)])).toEqual([
      ['7', 'From Task Master', []],
      ['8', 'Ours first', []],
      ['9', 'Ours second', ['8']],
    ]);
    // Task Master reads it so too: task 9 waits on task 8, and the file's dependencies are valid.
    const shown = await runTaskMaster(root, ['show', '9']);
    expect(shown.code, describeRun(shown)).toBe(0);
    expect(shown.stdout).toMatch(/Dependencies:[^\n]*\b8\b/);
    const validated = await runTaskMaster(root, ['validate-dependencies']);
    expect(validated.code, describeRun(validated)).toBe(0);
    expect(validated.stdout).toMatch(/All Dependencies Are Valid/);
  }, 120_000);

  it('keeps both subtask 2.1s when add-subtask read before ours were made, and our sibling depending on ours follows it', async () => {
    const { root } = await racingTaskMaster(['add-subtask', '--parent=2', '--title=From Task Master'], async (writer) => {
      await writer.result('task.create', { tag: 'master', parentId: 2, task: { title: 'Ours step' } });
      await writer.result('task.create', { tag: 'master', parentId: 2, task: { title: 'Ours next', dependencies: [1] } });
      await writer.result('task.update', { tag: 'master', id: 3, changes: { dependencies: ['2.2'] } });
    });
    const file = await readNormalised(root);
    expect(taskOf(file, 'master', 2).subtasks.map((s) => [s.id, s.title, s.dependencies])).toEqual([
      ['1', 'From Task Master', []],
      ['2', 'Ours step', []],
      ['3', 'Ours next', ['2']],
    ]);
    // Task 3 waited on our "Ours next" (2.2 when made): it still does, as 2.3.
    expect(taskOf(file, 'master', 3).dependencies).toEqual(['2.3']);
    const validated = await runTaskMaster(root, ['validate-dependencies']);
    expect(validated.code, describeRun(validated)).toBe(0);
    expect(validated.stdout).toMatch(/All Dependencies Are Valid/);
  }, 120_000);

  it('drops our dependencies on the task remove-task deleted from a read before we added them, as its own delete does', async () => {
    const { root, server, after } = await racingTaskMaster(['remove-task', '--id=5', '--yes'], async (writer) => {
      await writer.result('task.create', { tag: 'master', task: { title: 'Needs 5', dependencies: [5, 1] } });
      await writer.result('task.update', { tag: 'master', id: 6, changes: { dependencies: [5] } });
    });
    const file = await readNormalised(root);
    expect(file.master!.tasks.map((t) => [t.id, t.title, t.dependencies])).toEqual([
      ...[1, 2, 3, 4, 6].map((id) => [String(id), `Task ${id}`, []]),
      ['7', 'Needs 5', ['1']],
    ]);
    expect(summary(after).sort()).toEqual(['task.deleted:master/5', 'task.updated:master/6', 'task.updated:master/7']);
    const client = await RawClient.connect(server.wsUrl);
    const served = await client.result<{ tasks: Array<{ id: unknown; dependencies?: unknown[] }> }>('tasks.list', { tag: 'master' });
    expect(served.tasks.map((t) => [String(t.id), (t.dependencies ?? []).map(String)])).toEqual(file.master!.tasks.map((t) => [t.id, t.dependencies]));
    // Without it, Task Master's validate-dependencies finds tasks 6 and 7 waiting on a task that is not there.
    const validated = await runTaskMaster(root, ['validate-dependencies']);
    expect(validated.code, describeRun(validated)).toBe(0);
    expect(validated.stdout).toMatch(/All Dependencies Are Valid/);
  }, 120_000);

  it('keeps a field we gave a task through its commands, and takes its removals of tasks and subtasks we changed', async () => {
    // The premises of planOutsideWrite's base rule (outside-write.ts, nearestBase): Task Master writes back
    // the fields of a task it keeps, even ones it does not know, and removes tasks and subtasks, which the
    // rule still reads as removals however recently we changed them.
    const { root, watcher, writer } = await serving();
    await writer.result('task.update', { id: 1, tag: 'master', changes: { note: 'ours on 1' } });
    await writer.result('task.update', { id: 2, tag: 'master', changes: { note: 'ours on 2' } });
    await writer.result('task.update', { id: 3, tag: 'master', title: 'Ours on 3' });
    await quiet(watcher, 300);
    for (const args of [['set-status', '--id=1', '--status=review'], ['remove-subtask', '--id=1.1'], ['remove-task', '--id=2', '--yes']]) {
      const mark = watcher.messages.length;
      const run = await runTaskMaster(root, args);
      expect(run.code, describeRun(run)).toBe(0);
      expect(lockFailure(run), describeRun(run)).toBeUndefined();
      await settled(watcher, mark);
    }
    const file = await readNormalised(root);
    expect(taskOf(file, 'master', 1)).toMatchObject({ note: 'ours on 1', status: 'review', subtasks: [] });
    expect(file.master!.tasks.map((t) => t.id)).toEqual(['1', '3', '4', '5', '6']);
    expect(taskOf(file, 'master', 3).title).toBe('Ours on 3');
    const served = await writer.result<{ tasks: Array<{ id: string | number }> }>('tasks.list', { tag: 'master' });
    expect(served.tasks.map((t) => String(t.id))).toEqual(['1', '3', '4', '5', '6']);
  }, 120_000);

  it('writes nothing for a command that changes nothing, so a version equal in value to an older one is a change, not a no-op', async () => {
    // The premise of planOutsideWrite's rule for such versions (outside-write.test.ts).
    const root = await makeProject(twoTags());
    await runTaskMaster(root, ['add-dependency', '--id=3', '--depends-on=1']).then((run) => expect(run.code, describeRun(run)).toBe(0));
    const before = await readFile(tasksFile(root));
    for (const args of [
      ['set-status', '--id=2', '--status=pending'],
      ['add-dependency', '--id=3', '--depends-on=1'],
      ['fix-dependencies'],
    ]) {
      const run = await runTaskMaster(root, args);
      expect(run.code, describeRun(run)).toBe(0);
      expect((await readFile(tasksFile(root))).equals(before), args.join(' ')).toBe(true);
    }
  }, 120_000);
});
