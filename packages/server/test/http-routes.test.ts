import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, cleanup, httpRequest, makeProject, startServer } from './helpers.js';

afterEach(cleanup);

describe('HTTP fallback', () => {
  it('serves GET /api/tasks with an ETag and answers 304 until something changes', async () => {
    const server = await startServer(await makeProject());
    const first = await httpRequest(`${server.httpUrl}/api/tasks`);
    expect(first.status).toBe(200);
    expect(first.json().tasks).toHaveLength(5);
    const etag = first.headers.etag!;
    expect(etag).toBe(`"${server.epoch}:${server.revision}"`);
    expect((await httpRequest(`${server.httpUrl}/api/tasks`, { headers: { 'if-none-match': etag } })).status).toBe(304);

    await httpRequest(`${server.httpUrl}/api/tasks`, { body: { id: 1, status: 'done' } });
    const after = await httpRequest(`${server.httpUrl}/api/tasks?status=done`, { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.json().tasks.map((t: { id: number }) => t.id)).toEqual([1]);
  });

  it('creates with POST {task} and updates with POST {id, …}, validated like the socket', async () => {
    const root = await makeProject();
    const server = await startServer(root);
    const created = await httpRequest(`${server.httpUrl}/api/tasks`, { body: { task: { title: 'From HTTP', priority: 'high' } } });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ id: '6', task: { title: 'From HTTP', priority: 'high' } });

    const updated = await httpRequest(`${server.httpUrl}/api/tasks`, { body: { id: 6, changes: { details: 'More' } } });
    expect(updated.status).toBe(200);
    expect(updated.json().changed).toEqual(['details']);
    const onDisk = JSON.parse(await readFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), 'utf8'));
    expect(onDisk.master.tasks[5]).toMatchObject({ title: 'From HTTP', details: 'More' });

    const bad = await httpRequest(`${server.httpUrl}/api/tasks`, { body: { task: { title: '' } } });
    expect(bad.status).toBe(400);
    expect(bad.json().error.code).toBe(-32602);
    const missing = await httpRequest(`${server.httpUrl}/api/tasks`, { body: { id: 99, title: 'Ghost' } });
    expect(missing.status).toBe(404);
    const shapeless = await httpRequest(`${server.httpUrl}/api/tasks`, { body: { hello: 1 } });
    expect(shapeless.status).toBe(400);
  });

  it('answers 409 with the conflict data when a merge clashes', async () => {
    const server = await startServer(await makeProject(), { conflictStrategy: 'merge' });
    const base = (await httpRequest(`${server.httpUrl}/api/tasks`)).json().tasks[0];
    await httpRequest(`${server.httpUrl}/api/tasks`, { body: { id: 1, base, title: 'First' } });
    const clash = await httpRequest(`${server.httpUrl}/api/tasks`, { body: { id: 1, base, title: 'Second' } });
    expect(clash.status).toBe(409);
    expect(clash.json().error).toMatchObject({ code: 1006, data: { fields: ['title'], theirs: { title: 'First' } } });
  });

  it('reports status on GET /api/sync/status', async () => {
    const server = await startServer(await makeProject());
    await RawClient.connect(`${server.wsUrl}?client=cli`);
    const status = (await httpRequest(`${server.httpUrl}/api/sync/status`)).json();
    expect(status).toMatchObject({ epoch: server.epoch, pid: process.pid, urls: { ws: server.wsUrl, http: server.httpUrl } });
    expect(status.connections).toEqual([expect.objectContaining({ client: 'cli', mode: 'websocket' })]);
    expect(status.tags).toEqual([expect.objectContaining({ name: 'master', taskCount: 5 })]);
  });

  it('picks up an outside write on POST /api/sync/event {event: "file.changed"} and broadcasts it', async () => {
    const root = await makeProject();
    // A long debounce so the push, not the watcher, finds the change.
    const server = await startServer(root, { debounceMs: 1000 });
    const client = await RawClient.connect(server.wsUrl);
    await client.result('subscribe', { events: ['task.*'] });
    const file = join(root, '.taskmaster', 'tasks', 'tasks.json');
    const data = JSON.parse(await readFile(file, 'utf8'));
    data.master.tasks[0].title = 'Pushed';
    await writeFile(file, JSON.stringify(data, null, 2));
    const res = await httpRequest(`${server.httpUrl}/api/sync/event`, { body: { event: 'file.changed' } });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ applied: true, changes: 1 });
    const event = await client.waitFor((m) => m.method === 'task.updated');
    expect(event.params).toMatchObject({ id: '1', task: { title: 'Pushed' } });
  });

  it('applies pushed task events through the store, and does nothing when the file already agrees', async () => {
    const server = await startServer(await makeProject());
    const push = (event: string, payload: unknown) => httpRequest(`${server.httpUrl}/api/sync/event`, { body: { event, payload } });
    const first = await push('task.status.changed', { id: 2, to: 'done' });
    expect(first.json()).toMatchObject({ applied: true, event: 'task.status.changed' });
    expect((await push('task.status.changed', { id: 2, to: 'done' })).json()).toMatchObject({ applied: false });

    expect((await push('task.updated', { id: 3, task: { id: 3, title: 'Pushed title' } })).json()).toMatchObject({ applied: true });
    expect((await push('task.updated', { id: 3, task: { id: 3, title: 'Pushed title' } })).json()).toMatchObject({ applied: false });
    expect((await push('task.created', { task: { title: 'Pushed new' } })).json()).toMatchObject({ applied: true, result: { id: '6' } });
    expect((await push('task.deleted', { id: 4 })).json()).toMatchObject({ applied: true });
    expect((await push('task.deleted', { id: 4 })).json()).toMatchObject({ applied: false });
    expect((await push('task.status.changed', { id: 2, to: 'finished-ish' })).status).toBe(400);
    expect((await push('task.exploded', { id: 2 })).status).toBe(400);

    const tasks = (await httpRequest(`${server.httpUrl}/api/tasks`)).json().tasks;
    expect(tasks.map((t: { id: number; title: string; status: string }) => [t.id, t.status])).toEqual([
      [1, 'pending'],
      [2, 'done'],
      [3, 'pending'],
      [5, 'pending'],
      [6, 'pending'],
    ]);
  });

  it('serves GET /api/sync/changes like sync.pull, with 304 when nothing is new', async () => {
    const server = await startServer(await makeProject());
    const since = server.revision;
    await httpRequest(`${server.httpUrl}/api/tasks`, { body: { id: 5, title: 'Changed' } });
    const changes = await httpRequest(`${server.httpUrl}/api/sync/changes?since=${since}&epoch=${server.epoch}`);
    expect(changes.status).toBe(200);
    expect(changes.json()).toMatchObject({ full: false, events: expect.arrayContaining([expect.objectContaining({ event: 'task.updated' })]) });
    const again = await httpRequest(`${server.httpUrl}/api/sync/changes?since=${server.revision}&epoch=${server.epoch}`, {
      headers: { 'if-none-match': changes.headers.etag! },
    });
    expect(again.status).toBe(304);
    const snapshot = await httpRequest(`${server.httpUrl}/api/sync/changes?since=0&epoch=other`);
    expect(snapshot.json()).toMatchObject({ full: true, data: { master: { tasks: expect.any(Array) } } });
  });

  it('speaks JSON-RPC 2.0 on POST /api/rpc: single, batch, notification and parse error', async () => {
    const server = await startServer(await makeProject());
    const url = `${server.httpUrl}/api/rpc`;
    const single = await httpRequest(url, { body: { jsonrpc: '2.0', id: 'q', method: 'task.get', params: { id: 1 } } });
    expect(single.json()).toMatchObject({ jsonrpc: '2.0', id: 'q', result: { task: { title: 'Task 1' } } });
    const batch = await httpRequest(url, {
      body: [
        { jsonrpc: '2.0', id: 1, method: 'ping' },
        { jsonrpc: '2.0', id: 2, method: 'nope' },
      ],
    });
    expect(batch.json().map((r: { id: number }) => r.id)).toEqual([1, 2]);
    expect(batch.json()[1].error.code).toBe(-32601);
    const note = await httpRequest(url, { body: { jsonrpc: '2.0', method: 'ping' } });
    expect(note.status).toBe(204);
    const broken = await httpRequest(url, { body: '{"jsonrpc":' });
    expect(broken.json()).toMatchObject({ id: null, error: { code: -32700 } });
  });

  it('gzips large responses for clients that accept gzip', async () => {
    const server = await startServer(await makeProject('fixture'));
    const zipped = await httpRequest(`${server.httpUrl}/api/tasks?tag=master`, { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const body = JSON.parse(gunzipSync(zipped.raw).toString());
    expect(body.tasks.length).toBeGreaterThan(0);
    const plain = await httpRequest(`${server.httpUrl}/api/tasks?tag=master`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.raw.length).toBeLessThan(plain.raw.length / 2);
    const small = await httpRequest(`${server.httpUrl}/api/rpc`, { headers: { 'accept-encoding': 'gzip' }, body: { jsonrpc: '2.0', id: 1, method: 'ping' } });
    expect(small.headers['content-encoding']).toBeUndefined();
  });
});
