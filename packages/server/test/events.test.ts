import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, cleanup, eventually, makeProject, smallFile, startServer } from './helpers.js';

const run = promisify(execFile);
afterEach(cleanup);

const tasksFile = (root: string) => join(root, '.taskmaster', 'tasks', 'tasks.json');

async function subscribed(url: string, events: string[], query = '') {
  const client = await RawClient.connect(url + query);
  await client.result('subscribe', { events });
  return client;
}

describe('events', () => {
  it('shows each client the other client’s update, and the file on disk has it', async () => {
    const root = await makeProject();
    const server = await startServer(root);
    const alice = await subscribed(server.wsUrl, ['task.*']);
    const bob = await subscribed(server.wsUrl, ['task.*']);

    await alice.result('task.update', { id: 2, title: 'Alice was here' });
    const seenByBob = await bob.waitFor((m) => m.method === 'task.updated');
    expect(seenByBob.params).toMatchObject({ tag: 'master', id: '2', task: { title: 'Alice was here' }, changed: ['title'] });

    await bob.result('task.setStatus', { ids: [3], status: 'in-progress' });
    const seenByAlice = await alice.waitFor((m) => m.method === 'task.status.changed');
    expect(seenByAlice.params).toMatchObject({ id: '3', from: 'pending', to: 'in-progress' });

    const onDisk = JSON.parse(await readFile(tasksFile(root), 'utf8'));
    expect(onDisk.master.tasks[1].title).toBe('Alice was here');
    expect(onDisk.master.tasks[2].status).toBe('in-progress');
  });

  it('delivers only the events a client subscribed to', async () => {
    const server = await startServer(await makeProject());
    const statusOnly = await subscribed(server.wsUrl, ['task.status.changed']);
    const everything = await subscribed(server.wsUrl, ['*']);
    const none = await RawClient.connect(server.wsUrl);
    const writer = await RawClient.connect(server.wsUrl);

    await writer.result('task.update', { id: 1, title: 'Only a title' });
    await writer.result('task.setStatus', { ids: [1], status: 'done' });
    await everything.waitFor((m) => m.method === 'task.status.changed');
    await statusOnly.waitFor((m) => m.method === 'task.status.changed');
    await none.result('ping');

    expect(new Set(statusOnly.events().map((e) => e.event))).toEqual(new Set(['task.status.changed']));
    expect(everything.events().map((e) => e.event)).toEqual(expect.arrayContaining(['task.updated', 'task.status.changed', 'file.changed']));
    expect(none.events()).toEqual([]);

    await statusOnly.result('unsubscribe', {});
    await writer.result('task.setStatus', { ids: [1], status: 'pending' });
    await everything.waitFor((m) => m.method === 'task.status.changed' && (m.params as { to: string }).to === 'pending');
    await statusOnly.result('ping');
    expect(statusOnly.events('task.status.changed')).toHaveLength(1);
  });

  it('sends the task events of one commit together in one message, each with its own revision, and file.changed after them', async () => {
    const server = await startServer(await makeProject());
    const watcher = await subscribed(server.wsUrl, ['task.*', 'file.changed']);
    const writer = await RawClient.connect(server.wsUrl);
    await writer.result('task.setStatus', { ids: [1, 2, 3], status: 'review' });
    const file = await watcher.waitFor((m) => m.method === 'file.changed');
    const frame = JSON.parse(watcher.rawFrames.find((f) => f.includes('task.status.changed'))!) as Array<{ method: string; params: { revision: number } }>;
    expect(Array.isArray(frame)).toBe(true);
    const statusEvents = frame.filter((e) => e.method === 'task.status.changed');
    expect(statusEvents).toHaveLength(3);
    const revisions = frame.map((e) => e.params.revision);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    expect(new Set(revisions).size).toBe(revisions.length);
    expect((file.params as { revision: number }).revision).toBe(Math.max(...revisions) + 1);
  });

  it('announces clients connecting and leaving', async () => {
    const server = await startServer(await makeProject());
    const observer = await subscribed(server.wsUrl, ['sync.*']);
    const visitor = await RawClient.connect(`${server.wsUrl}?client=vscode`);
    const connected = await observer.waitFor((m) => m.method === 'sync.connected');
    expect(connected.params).toMatchObject({ client: 'vscode', connections: 2 });
    visitor.close();
    const left = await observer.waitFor((m) => m.method === 'sync.disconnected');
    expect(left.params).toMatchObject({ client: 'vscode', connections: 1 });
  });

  it('turns an outside write to tasks.json into events exactly once, and never echoes its own writes', async () => {
    const root = await makeProject();
    const server = await startServer(root, { debounceMs: 20 });
    const client = await subscribed(server.wsUrl, ['task.*', 'file.changed']);

    await client.result('task.update', { id: 1, title: 'Server write' });
    await client.waitFor((m) => m.method === 'file.changed');

    const script = `
      const fs = require('node:fs');
      const file = process.argv[1];
      const data = JSON.parse(fs.readFileSync(file, 'utf8'));
      data.master.tasks[4].title = 'Edited by another process';
      fs.writeFileSync(file, JSON.stringify(data, null, 2));
    `;
    await run(process.execPath, ['-e', script, tasksFile(root)]);
    await client.waitFor((m) => m.method === 'task.updated' && (m.params as { id: string }).id === '5');
    const external = await client.waitFor((m) => m.method === 'file.changed' && (m.params as { source: string }).source === 'external');
    expect(external.params).toMatchObject({ path: '.taskmaster/tasks/tasks.json' });

    await new Promise((r) => setTimeout(r, 600));
    expect(client.events('task.updated').filter((e) => e.params.id === '5')).toHaveLength(1);
    expect(client.events('task.updated').filter((e) => e.params.id === '1')).toHaveLength(1);
    expect(client.events('file.changed').map((e) => e.params.source)).toEqual(['server', 'external']);
    const fresh = await client.result<{ task: { title: string } }>('task.get', { id: 5 });
    expect(fresh.task.title).toBe('Edited by another process');
  });

  it('sends a client that asked for patches only what changed (task.patched), the others the whole task, and keeps whole tasks in pulls', async () => {
    const root = await makeProject('fixture');
    const server = await startServer(root, { debounceMs: 20 });
    const whole = await subscribed(server.wsUrl, ['task.*']);
    const patched = await RawClient.connect(server.wsUrl);
    expect(await patched.result('subscribe', { events: ['task.*'], patches: true })).toEqual({ subscribed: ['task.*'] });
    const { revision, epoch } = await whole.result<{ revision: number; epoch: string }>('sync.status');

    // The fixture's task 61: 124 KB with its subtasks, all of which task.updated carries.
    await whole.result('task.update', { id: 61, title: 'Renamed' });
    const full = await whole.waitFor((m) => m.method === 'task.updated');
    const patch = await patched.waitFor((m) => m.method === 'task.patched');
    expect(patch.params).toEqual({ tag: 'master', id: '61', revision: (full.params as { revision: number }).revision, set: { title: 'Renamed' }, unset: [] });
    const bytes = (frames: string[], name: string) => frames.find((f) => f.includes(name))!.length;
    expect(bytes(patched.rawFrames, 'task.patched')).toBeLessThan(bytes(whole.rawFrames, 'task.updated') / 500);
    expect(patched.events('task.updated')).toEqual([]);

    // A subtask's update, and a field another program dropped.
    await whole.result('task.update', { id: '61.2', status: 'review' });
    expect((await patched.waitFor((m) => m.method === 'task.patched' && (m.params as { id: string }).id === '61.2')).params).toMatchObject({ parentId: '61', set: { status: 'review' }, unset: [] });
    const script = `
      const fs = require('node:fs');
      const data = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
      delete data.master.tasks[1].details;
      fs.writeFileSync(process.argv[1], JSON.stringify(data, null, 2));
    `;
    await run(process.execPath, ['-e', script, tasksFile(root)]);
    const dropped = await patched.waitFor((m) => m.method === 'task.patched' && (m.params as { id: string }).id === '2');
    expect(dropped.params).toMatchObject({ set: {}, unset: ['details'] });

    // Back to whole tasks; a pull of what was missed has them whole either way.
    await patched.result('subscribe', { events: ['task.*'], patches: false });
    await whole.result('task.update', { id: 3, title: 'Whole again' });
    expect((await patched.waitFor((m) => m.method === 'task.updated')).params).toMatchObject({ id: '3', task: { title: 'Whole again' } });
    const pulled = await patched.result<{ events: Array<{ event: string; payload: { id: string; task?: { title: string } } }> }>('sync.pull', { since: revision, epoch });
    expect(pulled.events.map((e) => e.event)).not.toContain('task.patched');
    expect(pulled.events.find((e) => e.event === 'task.updated' && e.payload.id === '61')?.payload.task?.title).toBe('Renamed');
  });

  it('keeps turning outside writes into events while another tag holds an invalid task, sending none for that tag', async () => {
    const file = smallFile() as { master: unknown; broken?: unknown };
    // What another tool left in a second tag: a task without a title.
    file.broken = { tasks: [{ id: 1, title: null, status: 'pending' }], metadata: {} };
    const root = await makeProject(file);
    const server = await startServer(root, { debounceMs: 20 });
    const client = await subscribed(server.wsUrl, ['task.*', 'file.*']);
    const script = `
      const fs = require('node:fs');
      const file = process.argv[1];
      const data = JSON.parse(fs.readFileSync(file, 'utf8'));
      data.master.tasks[1].title = 'Edited beside a broken tag';
      data.broken.tasks[0].status = 'done';
      fs.writeFileSync(file, JSON.stringify(data, null, 2));
    `;
    await run(process.execPath, ['-e', script, tasksFile(root)]);
    const updated = await client.waitFor((m) => m.method === 'task.updated');
    expect(updated.params).toMatchObject({ tag: 'master', id: '2', task: { title: 'Edited beside a broken tag' } });
    await client.waitFor((m) => m.method === 'file.changed');
    expect(client.events('task.updated').map((e) => e.params.tag)).toEqual(['master']);
    expect(client.events('file.invalid')).toEqual([]);
    // The broken tag is kept as the file holds it; a write to master leaves it there.
    await client.result('task.update', { id: 3, title: 'Server write' });
    const onDisk = JSON.parse(await readFile(tasksFile(root), 'utf8'));
    expect(onDisk.broken.tasks[0]).toEqual({ id: 1, title: null, status: 'done' });
    expect(onDisk.master.tasks[2].title).toBe('Server write');
  });

  /** Another tool edits master's task 2 and leaves `feature` with a task without a title. */
  const breakFeature = (root: string) =>
    run(process.execPath, ['-e', `
      const fs = require('node:fs');
      const file = process.argv[1];
      const data = JSON.parse(fs.readFileSync(file, 'utf8'));
      data.master.tasks[1].title = 'Outside edit';
      data.feature.tasks[0].title = null;
      fs.writeFileSync(file, JSON.stringify(data, null, 2));
    `, tasksFile(root)]);
  const withFeature = () => {
    const file = smallFile() as { master: unknown; feature?: unknown };
    file.feature = { tasks: [{ id: 1, title: 'Feature one', status: 'pending' }, { id: 2, title: 'Feature two', status: 'pending' }], metadata: {} };
    return makeProject(file);
  };

  it('shows at once what an outside write changed beside a tag it broke, names that tag, and refuses to read it', async () => {
    const root = await withFeature();
    const server = await startServer(root, { debounceMs: 20 });
    const client = await subscribed(server.wsUrl, ['task.*', 'file.*']);
    await breakFeature(root);
    // No write of ours needed: master's change arrives as it is seen, then the broken tag is named.
    const invalid = (await client.waitFor((m) => m.method === 'file.invalid')).params as { message: string };
    expect(invalid).toMatchObject({ path: '.taskmaster/tasks/tasks.json', tag: 'feature' });
    expect(invalid.message).toMatch(/tag feature, task 1, field title: expected string, received null.*Other tags work/);
    expect(client.events('task.updated').map((e) => [e.params.tag, e.params.id, (e.params.task as { title: string }).title])).toEqual([['master', '2', 'Outside edit']]);
    expect((await client.result<{ tasks: Array<{ title: string }> }>('tasks.list', { tag: 'master' })).tasks[1]!.title).toBe('Outside edit');
    // Its tasks are not handed out, as the CLI without a server refuses them.
    for (const [method, params] of [['tasks.list', { tag: 'feature' }], ['task.get', { tag: 'feature', id: 2 }], ['tasks.next', { tag: 'feature' }]] as const) {
      const refused = await client.call(method, params);
      expect(refused.error).toMatchObject({ code: -32602, data: { reason: 'broken-tag', tag: 'feature', taskId: '1', field: 'title' } });
    }
    const feature = async () => (await client.result<{ tags: Array<{ name: string; problem?: string }> }>('tags.list')).tags.find((t) => t.name === 'feature');
    expect(await feature()).toMatchObject({ taskCount: 2, problem: 'task 1, field title: expected string, received null' });
    // A write that leaves it broken is refused; one that mends it is taken, and the tag is live again.
    expect((await client.call('task.setStatus', { tag: 'feature', ids: [2], status: 'done' })).error).toMatchObject({ code: -32602, data: { reason: 'broken-tag', taskId: '1' } });
    await client.result('task.update', { tag: 'feature', id: 1, title: 'Feature one, mended' });
    const list = await client.result<{ tasks: Array<{ title: string }> }>('tasks.list', { tag: 'feature' });
    expect(list.tasks.map((t) => t.title)).toEqual(['Feature one, mended', 'Feature two']);
    expect(client.events('task.updated').at(-1)!.params).toMatchObject({ tag: 'feature', id: '1', task: { title: 'Feature one, mended' } });
    expect(client.events('file.invalid')).toHaveLength(1);
    expect(await feature()).not.toHaveProperty('problem');
  });

  it('names a tag an outside write broke when its next write adopts that version from disk, sending no event for it', async () => {
    const root = await withFeature();
    // The watcher reports late: the server's write finds the file changed first.
    const server = await startServer(root, { debounceMs: 5000 });
    const client = await subscribed(server.wsUrl, ['task.*', 'file.*']);
    await breakFeature(root);
    // The server's next write finds the file changed and takes what it holds first, broken tag and all.
    await client.result('task.update', { id: 1, title: 'Server write' });
    await client.waitFor((m) => m.method === 'task.updated' && (m.params as { id?: unknown }).id === '1');
    // Its own change is announced first, then the outside one it merged; nothing of `feature`, but its name.
    expect(client.events('task.updated').map((e) => [e.params.tag, e.params.id])).toEqual([
      ['master', '1'],
      ['master', '2'],
    ]);
    expect((await client.waitFor((m) => m.method === 'file.invalid')).params).toMatchObject({ tag: 'feature' });
    expect((await client.call('tasks.list', { tag: 'feature' })).error).toMatchObject({ data: { reason: 'broken-tag' } });
    const onDisk = JSON.parse(await readFile(tasksFile(root), 'utf8'));
    expect(onDisk.feature.tasks[0].title).toBeNull();
    expect(onDisk.master.tasks.slice(0, 2).map((t: { title: string }) => t.title)).toEqual(['Server write', 'Outside edit']);
    // Seen by the watcher at last: the same version, nothing more to tell.
    await server.reload();
    expect(client.events('file.invalid')).toHaveLength(1);
  });

  it('keeps our change to a tag that a write made from a stale read broke, and goes on writing', async () => {
    const root = await withFeature();
    const server = await startServer(root, { debounceMs: 20 });
    const client = await subscribed(server.wsUrl, ['task.*', 'file.*']);
    // Another program reads the file, we change feature's task 2, then it writes back what it read with
    // feature's task 1 left without a title: its version lacks our change, in the tag it broke.
    const stale = JSON.parse(await readFile(tasksFile(root), 'utf8'));
    await client.result('task.update', { tag: 'feature', id: 2, title: 'Feature two, ours' });
    stale.feature.tasks[0].title = null;
    stale.master.tasks[2].title = 'Their edit';
    await writeFile(tasksFile(root), JSON.stringify(stale, null, 2));
    await client.waitFor((m) => m.method === 'file.invalid');
    // Merged: their edit and their broken task, and our acknowledged change beside it.
    const merged = JSON.parse(await readFile(tasksFile(root), 'utf8'));
    expect(merged.feature.tasks).toEqual([{ id: 1, title: null, status: 'pending' }, { id: 2, title: 'Feature two, ours', status: 'pending' }]);
    expect(merged.master.tasks[2].title).toBe('Their edit');
    // Writes to the other tags go on; the broken one takes a write that mends it, and keeps our change.
    await client.result('task.update', { id: 1, title: 'After the merge' });
    await client.result('task.update', { tag: 'feature', id: 1, title: 'Feature one, mended' });
    const onDisk = JSON.parse(await readFile(tasksFile(root), 'utf8'));
    expect(onDisk.master.tasks[0].title).toBe('After the merge');
    expect(onDisk.feature.tasks.map((t: { title: string }) => t.title)).toEqual(['Feature one, mended', 'Feature two, ours']);
  });

  it('reports a broken tasks file as file.invalid and keeps serving the last good version, until the file is put back', async () => {
    const root = await makeProject();
    const server = await startServer(root, { debounceMs: 20 });
    const client = await subscribed(server.wsUrl, ['file.*']);
    const good = await readFile(tasksFile(root));
    await run(process.execPath, ['-e', `require('node:fs').writeFileSync(process.argv[1], '{"master": {"tasks": [')`, tasksFile(root)]);
    const invalid = await client.waitFor((m) => m.method === 'file.invalid');
    expect(invalid.params).toMatchObject({ path: '.taskmaster/tasks/tasks.json' });
    const list = await client.result<{ tasks: unknown[] }>('tasks.list');
    expect(list.tasks).toHaveLength(5);
    const status = async () => (await client.result<{ fileProblem?: unknown; revision: number }>('sync.status'));
    expect((await status()).fileProblem).toEqual({ kind: 'invalid', message: (invalid.params as { message: string }).message });
    // Put back as it was: no task changed, and file.changed says the file is readable again.
    await writeFile(tasksFile(root), good);
    await eventually(() => expect(client.events('file.changed')).toHaveLength(1));
    expect((await status()).fileProblem).toBeUndefined();
  });

  it('batches a burst of events into fewer messages without losing any', async () => {
    const server = await startServer(await makeProject(), { batchWindowMs: 50 });
    const watcher = await subscribed(server.wsUrl, ['task.updated']);
    const writer = await RawClient.connect(server.wsUrl);
    await Promise.all(Array.from({ length: 30 }, (_, i) => writer.result('task.update', { id: (i % 5) + 1, details: `burst ${i}` })));
    const list = await writer.result<{ tasks: Array<{ id: number; details: string }> }>('tasks.list');
    // Every committed change reaches the watcher: replaying its events gives the file's final state.
    await eventually(() => {
      const replayed = new Map(watcher.events('task.updated').map((e) => [e.params.id, (e.params.task as { details: string }).details]));
      for (const t of list.tasks) expect(replayed.get(String(t.id))).toBe(t.details);
    });
    expect(watcher.frames).toBeLessThanOrEqual(watcher.events('task.updated').length);
  });
});
