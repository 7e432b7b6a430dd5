import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, cleanup, eventually, makeProject, smallFile, startServer } from './helpers.js';
import { startOutsideWriter } from './task-master/harness.js';

afterEach(cleanup);

type Task = Record<string, unknown> & { id: number | string; title: string };

describe('group commit', () => {
  it('lands 200 concurrent updates from several sockets, all of them in the file', async () => {
    const root = await makeProject(smallFile(50));
    const server = await startServer(root);
    const sockets = await Promise.all(Array.from({ length: 5 }, () => RawClient.connect(server.wsUrl)));
    const calls = Array.from({ length: 200 }, (_, i) =>
      sockets[i % 5]!.result<{ revision: number; task: Task }>('task.update', { id: (i % 50) + 1, changes: { [`note${i}`]: `value ${i}` } }),
    );
    const results = await Promise.all(calls);
    expect(results.every((r) => r.revision > 0)).toBe(true);
    const file = JSON.parse(await readFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), 'utf8'));
    for (let i = 0; i < 200; i++) expect(file.master.tasks[i % 50][`note${i}`]).toBe(`value ${i}`);
    // Fewer revisions than requests show the updates were grouped into shared commits.
    const commits = new Set(results.map((r) => r.revision));
    expect(commits.size).toBeLessThan(200);
  });

  it('fails only the bad op of a shared commit', async () => {
    const server = await startServer(await makeProject());
    const client = await RawClient.connect(server.wsUrl);
    const [good, bad, other] = await Promise.all([
      client.call('task.update', { id: 1, title: 'Good one' }),
      client.call('task.update', { id: 404, title: 'No such task' }),
      client.call('task.create', { task: { title: 'Created alongside' } }),
    ]);
    expect(good.result).toMatchObject({ task: { title: 'Good one' } });
    expect(bad.error).toMatchObject({ code: 1008 });
    expect((bad.error as { message: string }).message).toContain('404');
    expect(other.result).toMatchObject({ id: '6', task: { title: 'Created alongside' } });
  });
});

/** A server on a small project, a client subscribed to every event, and a client to write with. */
async function watchedServer(): Promise<{ tasksFile: string; watcher: RawClient; writer: RawClient }> {
  const root = await makeProject();
  const server = await startServer(root);
  const watcher = await RawClient.connect(server.wsUrl);
  await watcher.result('subscribe', { events: ['*'] });
  return { tasksFile: join(root, '.taskmaster', 'tasks', 'tasks.json'), watcher, writer: await RawClient.connect(server.wsUrl) };
}

describe('events before durability', () => {
  it('tells other clients once the change is validated, file.changed after the rename, and the writer once it is durable', async () => {
    const { tasksFile, watcher, writer } = await watchedServer();
    const reply = await writer.result<{ revision: number }>('task.update', { id: 2, title: 'Seen early' });
    const updated = await watcher.waitFor((m) => m.method === 'task.updated');
    const file = await watcher.waitFor((m) => m.method === 'file.changed');
    const order = watcher.messages.map((m) => m.method);
    expect(order.indexOf('task.updated')).toBeLessThan(order.indexOf('file.changed'));
    expect((file.params as { revision: number }).revision).toBeGreaterThan((updated.params as { revision: number }).revision);
    expect(reply.revision).toBe((file.params as { revision: number }).revision);
    const onDisk = JSON.parse(await readFile(tasksFile, 'utf8'));
    expect(onDisk.master.tasks[1].title).toBe('Seen early');
  });

  it('announces changes while Task Master holds the lock, then merges the write it made meanwhile with them', async () => {
    const { tasksFile, watcher, writer } = await watchedServer();
    const original = JSON.parse(await readFile(tasksFile, 'utf8')) as { master: { tasks: Task[] } };

    // Task Master's lock (the path its CLI and proper-lockfile take) is held while our clients write.
    await mkdir(`${tasksFile}.lock`);
    const replies = [
      writer.call('task.update', { id: 2, title: 'Ours, told while locked' }),
      writer.call('task.update', { id: 2, details: 'Ours too' }),
      writer.call('task.update', { id: 2, description: 'And a second change of task 2' }),
    ];
    // Every change reaches the other client without the lock: none waits for the disk or the one before.
    await watcher.waitFor((m) => {
      const task = m.method === 'task.updated' ? (m.params as { task: Task }).task : undefined;
      return task?.title === 'Ours, told while locked' && task.details === 'Ours too' && task.description === 'And a second change of task 2';
    });
    expect(watcher.messages.some((m) => m.method === 'file.changed')).toBe(false);

    // Meanwhile Task Master writes back what it read before our changes, with a change of its own to the same task.
    original.master.tasks[1]!.status = 'done';
    await writeFile(tasksFile, JSON.stringify(original, null, 2));
    await rmdir(`${tasksFile}.lock`);

    for (const reply of await Promise.all(replies)) expect(reply.error).toBeUndefined();
    const onDisk = JSON.parse(await readFile(tasksFile, 'utf8')) as { master: { tasks: Task[] } };
    expect(onDisk.master.tasks[1]).toMatchObject({ title: 'Ours, told while locked', details: 'Ours too', description: 'And a second change of task 2', status: 'done' });
    // The other client ends up with what the file holds.
    const listed = await watcher.result<{ tasks: Task[] }>('tasks.list', {});
    expect(listed.tasks[1]).toEqual(onDisk.master.tasks[1]);
    await eventually(() => expect(watcher.messages.some((m) => m.method === 'task.updated' && (m.params as { task: Task }).task.status === 'done')).toBe(true));
  });

  it('fails a change announced while the file it was made on is put back as it was (git checkout), and clients end up with the file', async () => {
    const { tasksFile, watcher, writer } = await watchedServer();
    // A version the file held: task 2 renamed, written and acknowledged.
    await writer.result('task.update', { id: 2, title: 'Renamed, then checked out again' });
    const before = await readFile(tasksFile);
    await writer.result('task.update', { id: 3, title: 'Renamed too' });

    await mkdir(`${tasksFile}.lock`);
    const reply = writer.call('task.update', { id: 4, title: 'Told, never written' });
    await watcher.waitFor((m) => m.method === 'task.updated' && (m.params as { task: Task }).task.title === 'Told, never written');
    // Meanwhile the earlier version comes back exactly, bytes and all.
    await writeFile(tasksFile, before);
    await rmdir(`${tasksFile}.lock`);

    expect(((await reply).error as { code: number }).code).toBe(1006);
    expect(await readFile(tasksFile)).toEqual(before);
    const listed = await watcher.result<{ tasks: Task[] }>('tasks.list', {});
    expect(listed.tasks.slice(1, 4).map((t) => t.title)).toEqual(['Renamed, then checked out again', 'Task 3', 'Task 4']);
  });

  it('takes an announced change back when the write then fails, and the file keeps the old version', async () => {
    const root = await makeProject();
    const tasksDir = join(root, '.taskmaster', 'tasks');
    // A file where the history folder should be: the snapshot, taken after the announcement, fails.
    await rm(join(tasksDir, 'history'), { recursive: true, force: true });
    await writeFile(join(tasksDir, 'history'), 'not a folder');
    const before = await readFile(join(tasksDir, 'tasks.json'), 'utf8');
    const server = await startServer(root);
    const watcher = await RawClient.connect(server.wsUrl);
    await watcher.result('subscribe', { events: ['*'] });
    const writer = await RawClient.connect(server.wsUrl);

    const res = await writer.call('task.update', { id: 2, title: 'Never written' });
    expect((res.error as { code: number }).code).toBe(1005);
    const titles = async () => {
      await watcher.waitFor((m) => m.method === 'task.updated' && (m.params as { task: Task }).task.title === 'Task 2');
      return watcher.messages.filter((m) => m.method === 'task.updated').map((m) => (m.params as { task: Task }).task.title);
    };
    expect(await titles()).toEqual(['Never written', 'Task 2']);
    expect(watcher.messages.some((m) => m.method === 'file.changed')).toBe(false);
    expect(await readFile(join(tasksDir, 'tasks.json'), 'utf8')).toBe(before);
    const listed = await writer.result<{ tasks: Task[] }>('tasks.list', {});
    expect(listed.tasks[1]!.title).toBe('Task 2');
  });
  it('keeps acknowledged updates when a write fails with a stale copy of the file in place, and writes both once it can', async () => {
    const root = await makeProject(smallFile(6));
    const tasksDir = join(root, '.taskmaster', 'tasks');
    const tasksFile = join(tasksDir, 'tasks.json');
    const server = await startServer(root);
    const writer = await RawClient.connect(server.wsUrl);
    // An outside writer reads the file now and writes it back later, with its own change: a stale copy.
    const outside = await startOutsideWriter(root, { edits: [{ tag: 'master', id: 5, set: { details: 'Outside' } }] });
    await writer.result('task.update', { id: 3, title: 'Acknowledged' });

    // Our next write waits for the lock while the stale copy lands, and then cannot be written (a file where
    // the history folder should be): it fails, and what clients held goes back to the file's last version.
    // (Retried: the last commit's snapshot may still be being compressed into the folder.)
    await rm(join(tasksDir, 'history'), { recursive: true, force: true, maxRetries: 10 });
    await writeFile(join(tasksDir, 'history'), 'not a folder');
    await mkdir(`${tasksFile}.lock`);
    const failing = writer.call('task.update', { id: 4, title: 'Never written' });
    await outside.write();
    await rmdir(`${tasksFile}.lock`);
    expect(((await failing).error as { code: number }).code).toBe(1005);

    await rm(join(tasksDir, 'history'));
    await writer.result('task.update', { id: 6, title: 'After' });
    const tasks = (JSON.parse(await readFile(tasksFile, 'utf8')) as { master: { tasks: Task[] } }).master.tasks;
    expect(tasks.slice(2, 6).map((t) => [t.title, t.details])).toEqual([
      ['Acknowledged', ''],
      ['Task 4', ''],
      ['Task 5', 'Outside'],
      ['After', ''],
    ]);
  }, 30_000);
});

describe('revisions and sync.pull', () => {
  it('returns the events since a revision, and a full snapshot for another epoch or a revision too old', async () => {
    const server = await startServer(await makeProject());
    const client = await RawClient.connect(server.wsUrl);
    const start = await client.result<{ epoch: string; revision: number }>('tasks.list');
    await client.result('task.update', { id: 1, title: 'One' });
    await client.result('task.setStatus', { ids: [2], status: 'done' });
    await client.result('task.delete', { id: 3 });

    const pull = await client.result<{ full: boolean; revision: number; events: Array<{ event: string; payload: { id?: string; revision: number } }> }>(
      'sync.pull',
      { since: start.revision, epoch: start.epoch },
    );
    expect(pull.full).toBe(false);
    const taskEvents = pull.events.filter((e) => e.event.startsWith('task.'));
    expect(taskEvents.map((e) => `${e.event}:${e.payload.id}`)).toEqual([
      'task.updated:1',
      'task.updated:2',
      'task.status.changed:2',
      'task.deleted:3',
    ]);
    expect(pull.events.map((e) => e.payload.revision)).toEqual(
      Array.from({ length: pull.events.length }, (_, i) => start.revision + i + 1),
    );
    expect(pull.revision).toBe(server.revision);

    const upToDate = await client.result<{ full: boolean; events: unknown[] }>('sync.pull', { since: server.revision, epoch: server.epoch });
    expect(upToDate).toMatchObject({ full: false, events: [] });

    const otherEpoch = await client.result<{ full: boolean; data: Record<string, { tasks: Task[] }> }>('sync.pull', { since: 1, epoch: 'old-epoch' });
    expect(otherEpoch.full).toBe(true);
    expect(otherEpoch.data.master!.tasks.map((t) => t.id)).toEqual([1, 2, 4, 5]);

    const future = await client.result<{ full: boolean }>('sync.pull', { since: server.revision + 100, epoch: server.epoch });
    expect(future.full).toBe(true);
  });

  it('falls back to a snapshot once the log no longer reaches back', async () => {
    const server = await startServer(await makeProject(smallFile(300)));
    const client = await RawClient.connect(server.wsUrl);
    const { epoch } = await client.result<{ epoch: string }>('tasks.list');
    const ids = Array.from({ length: 300 }, (_, i) => i + 1);
    // Each status change of 300 tasks logs 600 events; six of them overflow a log of a few thousand.
    for (const status of ['done', 'review', 'done', 'review', 'done', 'review']) await client.result('task.setStatus', { ids, status });
    const old = await client.result<{ full: boolean }>('sync.pull', { since: 0, epoch });
    expect(old.full).toBe(true);
    const recent = await client.result<{ full: boolean; events: unknown[] }>('sync.pull', { since: server.revision - 10, epoch });
    expect(recent.full).toBe(false);
    expect(recent.events).toHaveLength(10);
  });
});

describe('conflicts', () => {
  async function twoEditors(strategy: 'merge' | 'manual' | 'last-write-wins') {
    const server = await startServer(await makeProject(), { conflictStrategy: strategy });
    const alice = await RawClient.connect(server.wsUrl);
    const bob = await RawClient.connect(server.wsUrl);
    const { task: base } = await alice.result<{ task: Task }>('task.get', { id: 2 });
    return { server, alice, bob, base };
  }

  it('last-write-wins applies both edits in arrival order', async () => {
    const { alice, bob, base } = await twoEditors('last-write-wins');
    await alice.result('task.update', { id: 2, base, title: 'Alice title' });
    await bob.result('task.update', { id: 2, base, title: 'Bob title' });
    const { task } = await alice.result<{ task: Task }>('task.get', { id: 2 });
    expect(task.title).toBe('Bob title');
  });

  it('merge combines concurrent edits of different fields', async () => {
    const { alice, bob, base } = await twoEditors('merge');
    const [a, b] = await Promise.all([
      alice.call('task.update', { id: 2, base, changes: { title: 'Alice title' } }),
      bob.call('task.update', { id: 2, base, changes: { priority: 'high' } }),
    ]);
    expect(a.error ?? b.error).toBeUndefined();
    const { task } = await alice.result<{ task: Task }>('task.get', { id: 2 });
    expect(task).toMatchObject({ title: 'Alice title', priority: 'high' });
  });

  it('merge refuses concurrent edits of the same field with 1006, base/mine/theirs, and resolve settles it', async () => {
    const { alice, bob, base } = await twoEditors('merge');
    await alice.result('task.update', { id: 2, base, title: 'Alice title' });
    const clash = await bob.call('task.update', { id: 2, base, title: 'Bob title' });
    const error = clash.error as { code: number; data: { conflictId: string; base: Task; mine: Task; theirs: Task; fields: string[]; tag: string; id: string } };
    expect(error.code).toBe(1006);
    expect(error.data).toMatchObject({ tag: 'master', id: '2', fields: ['title'] });
    expect(error.data.base.title).toBe('Task 2');
    expect(error.data.mine.title).toBe('Bob title');
    expect(error.data.theirs.title).toBe('Alice title');

    const resolved = await bob.result<{ task: Task }>('conflict.resolve', { conflictId: error.data.conflictId, choice: 'mine' });
    expect(resolved.task.title).toBe('Bob title');
    const again = await bob.call('conflict.resolve', { conflictId: error.data.conflictId, choice: 'mine' });
    expect(again.error).toMatchObject({ code: -32602 });
  });

  it('merge needs a base', async () => {
    const { alice } = await twoEditors('merge');
    const res = await alice.call('task.update', { id: 2, title: 'No base' });
    expect(res.error).toMatchObject({ code: -32602 });
    expect((res.error as { message: string }).message).toContain('base');
  });

  it('manual refuses any edit made on a stale base, and "theirs" keeps the current version', async () => {
    const { alice, bob, base } = await twoEditors('manual');
    await alice.result('task.update', { id: 2, base, priority: 'low' });
    const clash = await bob.call('task.update', { id: 2, base, title: 'Bob title' });
    const error = clash.error as { code: number; data: { conflictId: string; theirs: Task } };
    expect(error.code).toBe(1006);
    expect(error.data.theirs.priority).toBe('low');
    const kept = await bob.result<{ task: Task }>('conflict.resolve', { conflictId: error.data.conflictId, choice: 'theirs' });
    expect(kept.task).toMatchObject({ title: 'Task 2', priority: 'low' });

    const { task: fresh } = await bob.result<{ task: Task }>('task.get', { id: 2 });
    const ok = await bob.result<{ task: Task }>('task.update', { id: 2, base: fresh, title: 'Bob on a fresh base' });
    expect(ok.task.title).toBe('Bob on a fresh base');
  });

  it('a per-request strategy overrides the configured one, and "merged" writes the given version', async () => {
    const { alice, bob, base } = await twoEditors('last-write-wins');
    await alice.result('task.update', { id: 2, base, title: 'Alice title' });
    const clash = await bob.call('task.update', { id: 2, base, title: 'Bob title', strategy: 'merge' });
    const { conflictId } = (clash.error as { data: { conflictId: string } }).data;
    const merged = await bob.result<{ task: Task }>('conflict.resolve', {
      conflictId,
      choice: 'merged',
      task: { ...base, title: 'Alice and Bob title' },
    });
    expect(merged.task.title).toBe('Alice and Bob title');
  });
});
