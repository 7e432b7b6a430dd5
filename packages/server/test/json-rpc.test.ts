import { JSONRPCClient } from 'json-rpc-2.0';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, cleanup, eventually, makeProject, register, startServer } from './helpers.js';

afterEach(cleanup);

async function connect() {
  const server = await startServer(await makeProject());
  return { server, client: await RawClient.connect(server.wsUrl) };
}

/** Waits a little to prove that no reply comes. */
async function noReplyWithin(client: RawClient, ms = 300): Promise<number> {
  const before = client.frames;
  await new Promise((r) => setTimeout(r, ms));
  return client.frames - before;
}

describe('JSON-RPC 2.0 over WebSocket', () => {
  it('answers a single call and echoes string and number ids exactly', async () => {
    const { client } = await connect();
    client.send({ jsonrpc: '2.0', id: 'abc-1', method: 'ping' });
    client.send({ jsonrpc: '2.0', id: 42, method: 'ping' });
    const a = await client.waitFor((m) => m.id === 'abc-1');
    const b = await client.waitFor((m) => m.id === 42);
    expect(a).toMatchObject({ jsonrpc: '2.0', id: 'abc-1', result: { pong: true } });
    expect(b).toMatchObject({ jsonrpc: '2.0', id: 42, result: { pong: true } });
    expect(Object.keys(a).sort()).toEqual(['id', 'jsonrpc', 'result']);
  });

  it('answers a batch with an array of responses and leaves notifications out', async () => {
    const { client } = await connect();
    client.send([
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', method: 'ping' },
      { jsonrpc: '2.0', id: 2, method: 'task.get', params: { id: 1 } },
      { jsonrpc: '2.0', id: 3, method: 'no.such.method' },
    ]);
    await client.waitFor((m) => m.id === 3);
    const batch = JSON.parse(client.rawFrames.at(-1)!) as Array<Record<string, unknown>>;
    expect(Array.isArray(batch)).toBe(true);
    expect(batch.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(batch[1]).toMatchObject({ result: { id: '1', task: { title: 'Task 1' } } });
    expect(batch[2]).toMatchObject({ error: { code: -32601 } });
  });

  it('sends nothing back for notifications or an all-notification batch', async () => {
    const { client } = await connect();
    client.send({ jsonrpc: '2.0', method: 'ping' });
    client.send([{ jsonrpc: '2.0', method: 'ping' }, { jsonrpc: '2.0', method: 'no.such.method' }]);
    expect(await noReplyWithin(client)).toBe(0);
  });

  it('applies a notification even though it gets no reply', async () => {
    const { client } = await connect();
    client.send({ jsonrpc: '2.0', method: 'task.update', params: { id: 2, title: 'Renamed quietly' } });
    await eventually(async () => {
      const { task } = await client.result<{ task: { title: string } }>('task.get', { id: 2 });
      expect(task.title).toBe('Renamed quietly');
    });
  });

  it('answers each error code: -32700, -32600, -32601, -32602', async () => {
    const { client } = await connect();
    client.send('{"jsonrpc": "2.0", "method": "ping", "id": 1');
    const parse = await client.waitFor((m) => (m.error as { code?: number })?.code === -32700);
    expect(parse.id).toBeNull();

    client.send([]);
    const empty = await client.waitFor((m) => (m.error as { code?: number })?.code === -32600);
    expect(empty.id).toBeNull();
    expect(Array.isArray(JSON.parse(client.rawFrames.at(-1)!))).toBe(false);

    client.send({ jsonrpc: '2.0', id: 7, method: 1 });
    const invalid = await client.waitFor((m) => m.id === 7);
    expect(invalid.error).toMatchObject({ code: -32600 });
    // Params are an object or an array (JSON-RPC 2.0, 4.2): not a string, a number or null.
    for (const [id, params] of [[8, 'x'], [9, 5], [10, null]] as const) {
      client.send({ jsonrpc: '2.0', id, method: 'ping', params });
      expect((await client.waitFor((m) => m.id === id)).error).toMatchObject({ code: -32600 });
    }

    const missing = await client.call('tasks.explode');
    expect(missing.error).toMatchObject({ code: -32601 });

    const bad = await client.call('task.update', { id: 1, priority: 'urgent' });
    const error = bad.error as { code: number; message: string; data: { issues: Array<{ path: string }> } };
    expect(error.code).toBe(-32602);
    expect(error.message).toContain('priority');
    expect(error.data.issues[0]!.path).toBe('priority');
  });

  it('answers invalid entries inside a batch one by one', async () => {
    const { client } = await connect();
    client.send([1, { jsonrpc: '2.0', id: 'x', method: 'ping' }]);
    await client.waitFor((m) => m.id === 'x');
    const batch = JSON.parse(client.rawFrames.at(-1)!) as Array<Record<string, unknown>>;
    expect(batch).toHaveLength(2);
    expect(batch[0]).toMatchObject({ id: null, error: { code: -32600 } });
  });

  it('works with the stock json-rpc-2.0 client unchanged', async () => {
    const { server } = await connect();
    // As a user's program would: the token of connection.json as a Bearer header.
    const ws = new WebSocket(server.wsUrl, { headers: { Authorization: `Bearer ${server.token}` } });
    register(async () => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    const client = new JSONRPCClient((request) => {
      ws.send(JSON.stringify(request));
    });
    ws.on('message', (data) => client.receive(JSON.parse(data.toString())));
    const list = await client.request('tasks.list', {});
    expect(list.tasks).toHaveLength(5);
    const updated = await client.request('task.update', { id: 3, status: 'done' });
    expect(updated).toMatchObject({ id: '3', task: { status: 'done' }, changed: ['status'] });
    await expect(client.request('task.get', { id: 999 })).rejects.toThrow(/not found/);
    client.notify('ping', {});
  });
});

describe('the spec SyncMessage envelope', () => {
  it('answers a request with a response naming the id and method', async () => {
    const { client } = await connect();
    client.send({ id: '2', type: 'request', method: 'tasks.list' });
    const res = await client.waitFor((m) => m.id === '2');
    expect(res).toMatchObject({ id: '2', type: 'response', method: 'tasks.list', result: { tag: 'master' } });
    expect(typeof res.timestamp).toBe('number');
  });

  it('accepts the spec example update with top-level fields, with a status Task Master knows', async () => {
    const { client } = await connect();
    client.send({ id: '3', type: 'request', method: 'task.update', params: { id: 4, status: 'done' }, timestamp: Date.now() });
    const res = await client.waitFor((m) => m.id === '3');
    expect(res).toMatchObject({ type: 'response', result: { task: { status: 'done' } } });
    // The spec's own example says "completed", which Task Master's list then refuses ("Invalid task status"): never written.
    client.send({ id: '4', type: 'request', method: 'task.update', params: { id: 4, status: 'completed' }, timestamp: Date.now() });
    const refused = await client.waitFor((m) => m.id === '4');
    expect(refused).toMatchObject({ type: 'response', error: { code: -32602 } });
    expect((refused.error as { message: string }).message).toContain('pending, in-progress, done, review, deferred, cancelled, blocked');
  });

  it('answers 1003 for a malformed message and 1004 for an unknown method', async () => {
    const { client } = await connect();
    client.send({ id: 'a', type: 'request' });
    client.send({ id: 'b', type: 'event', method: 'task.updated' });
    client.send({ id: 'c', type: 'request', method: 'tasks.nuke' });
    client.send({ id: 'd', type: 'request', method: 'task.get', params: { id: [] } });
    const a = await client.waitFor((m) => m.id === 'a');
    const b = await client.waitFor((m) => m.id === 'b');
    const c = await client.waitFor((m) => m.id === 'c');
    const d = await client.waitFor((m) => m.id === 'd');
    expect(a).toMatchObject({ type: 'response', error: { code: 1003 } });
    expect(b).toMatchObject({ type: 'response', error: { code: 1003 } });
    expect(c).toMatchObject({ type: 'response', method: 'tasks.nuke', error: { code: 1004 } });
    expect(d).toMatchObject({ type: 'response', error: { code: -32602 } });
  });

  it('sends events as SyncMessage events to a connection that speaks SyncMessage', async () => {
    const { client } = await connect();
    client.send({ id: 's', type: 'request', method: 'subscribe', params: { events: ['task.*'] } });
    await client.waitFor((m) => m.id === 's');
    client.send({ id: 'u', type: 'request', method: 'task.update', params: { id: 1, title: 'Evented' } });
    const event = await client.waitFor((m) => m.type === 'event' && m.method === 'task.updated');
    expect(event).toMatchObject({ type: 'event', params: { id: '1', task: { title: 'Evented' } } });
    expect(typeof event.id).toBe('string');
  });

  it('keeps the connection up after bad input', async () => {
    const { client } = await connect();
    client.send('not json at all');
    client.send('null');
    client.send('"a string"');
    client.send({ something: 'else' });
    const pong = await client.result('ping');
    expect(pong.pong).toBe(true);
  });
});
