import { ErrorCode, isTaskmasterError } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { Harness, nextEvent } from './helpers.js';

const h = new Harness();
afterEach(() => h.cleanup());

describe('calls over the socket', () => {
  it('creates, lists, gets, updates and deletes tasks with typed results', async () => {
    const root = await h.project();
    const server = await h.server(root);
    const client = h.track(createClient({ url: server.wsUrl, token: server.token, clientName: 'test' }));
    await client.ready();
    expect(client.mode).toBe('realtime');

    const created = await client.call('task.create', { task: { title: 'Write the client', priority: 'high' } });
    expect(created.task.title).toBe('Write the client');
    const listed = await client.call('tasks.list');
    expect(listed.tasks.map((t) => t.title)).toEqual(['Write the client']);

    const updated = await client.call('task.update', { id: created.id, status: 'in-progress' });
    expect(updated.changed).toContain('status');
    const got = await client.call('task.get', { id: created.id });
    expect(got.task.status).toBe('in-progress');
    expect(client.revision).toBeGreaterThanOrEqual(updated.revision);

    await client.call('task.delete', { id: created.id });
    expect((await client.call('tasks.list')).tasks).toEqual([]);
  });

  it('rejects with the server error as a TaskmasterError', async () => {
    const root = await h.project();
    const server = await h.server(root);
    const client = h.track(createClient({ url: server.wsUrl, token: server.token }));
    const failure = await client.call('task.get', { id: 404 }).catch((err: unknown) => err);
    expect(isTaskmasterError(failure)).toBe(true);
    expect((failure as Error).message).toMatch(/404/);
  });

  it('answers concurrent calls each with its own result', async () => {
    const root = await h.project();
    const server = await h.server(root);
    const client = h.track(createClient({ url: server.wsUrl, token: server.token }));
    const titles = Array.from({ length: 20 }, (_, i) => `Task ${i}`);
    const results = await Promise.all(titles.map((title) => client.call('task.create', { task: { title } })));
    expect(results.map((r) => r.task.title)).toEqual(titles);
    expect(new Set(results.map((r) => r.id)).size).toBe(titles.length);
  });

  it('keeps a replica equal to the server file from the events it receives', async () => {
    const root = await h.project({ fixture: true });
    const server = await h.server(root);
    const writer = h.track(createClient({ url: server.wsUrl, token: server.token }));
    const reader = h.track(createClient({ url: server.wsUrl, token: server.token, replica: true }));
    await Promise.all([writer.ready(), reader.ready()]);
    const tag = (await writer.call('tags.list')).current;
    expect(reader.replica?.tasks(tag).length).toBe((await writer.call('tasks.list', { tag })).tasks.length);

    const subtaskParent = (await writer.call('tasks.list', { tag })).tasks.find((t) => (t.subtasks?.length ?? 0) > 0)!;
    const subId = `${subtaskParent.id}.${subtaskParent.subtasks![0]!.id}`;
    const created = await writer.call('task.create', { tag, task: { title: 'From the writer' } });
    await writer.call('task.update', { tag, id: subId, status: 'blocked' });
    const deleted = nextEvent(reader, 'task.deleted', (p) => p.id === created.id);
    await writer.call('task.delete', { tag, id: created.id });
    await deleted;

    expect(reader.replica?.get(subId, tag)?.status).toBe('blocked');
    expect(reader.replica?.get(created.id, tag)).toBeUndefined();
    const server_ = await writer.call('tasks.list', { tag });
    expect(reader.replica?.tasks(tag)).toEqual(server_.tasks);
  });

  it('fails a call the server does not answer in time with 1001', async () => {
    const root = await h.project();
    const server = await h.server(root);
    // A real server in a child process, stopped with SIGSTOP: connected, but silent.
    const child = h.child(
      `import { createServer } from '@taskmaster/server';
       const s = await createServer({ root: process.env.ROOT, host: '127.0.0.1', port: 0, httpPort: 0, writeConnectionFile: false });
       console.log(JSON.stringify({ wsUrl: s.wsUrl, token: s.token }));`,
      { ROOT: root },
    );
    await h.stop(server);
    const { wsUrl, token } = await new Promise<{ wsUrl: string; token: string }>((resolve) => child.stdout!.once('data', (d) => resolve(JSON.parse(String(d)))));
    const client = h.track(createClient({ url: wsUrl, token, requestTimeoutMs: 500, reconnect: false }));
    await client.ready();
    child.kill('SIGSTOP');
    const failure = await client.call('tasks.list').catch((err: unknown) => err);
    child.kill('SIGCONT');
    expect(isTaskmasterError(failure, ErrorCode.ConnectionFailed)).toBe(true);
    expect((failure as Error).message).toMatch(/tasks\.list .*timed out after 500 ms/);
  });
});
