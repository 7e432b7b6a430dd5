import { tagsOf, type EventPayload } from '@taskmaster/protocol';
import { openStore } from '@taskmaster/store';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type ClientMode } from '../src/index.js';
import { Harness, modeReached, nextEvent, until } from './helpers.js';

const h = new Harness();
afterEach(() => h.cleanup());

const fast = { minDelayMs: 20, maxDelayMs: 200 };

describe('reconnecting', () => {
  it('catches up after a server restart on the same ports, emitting what changed while it was away', async () => {
    const root = await h.project();
    const first = await h.server(root);
    const writer = h.track(createClient({ url: first.wsUrl, token: first.token }));
    const kept = await writer.call('task.create', { task: { title: 'Kept' } });
    const doomed = await writer.call('task.create', { task: { title: 'Doomed' } });
    await writer.call('task.create', { task: { title: 'Last' } });
    await writer.close();

    // With root, each reconnect reads the token from connection.json: the restarted server has a new one.
    const client = h.track(createClient({ url: first.wsUrl, httpUrl: first.httpUrl, root, replica: true, reconnect: fast }));
    const plain = h.track(createClient({ url: first.wsUrl, root, reconnect: fast }));
    await Promise.all([client.ready(), plain.ready()]);
    const epoch = client.epoch;
    const modes: ClientMode[] = [];
    client.onModeChange((m) => modes.push(m));

    const { port, httpPort } = first;
    await h.stop(first);
    await modeReached(client, 'offline');
    // Written while no server runs, straight through the store.
    const store = await openStore(root);
    await store.update(kept.id, { title: 'Kept, edited offline' });
    await store.remove(doomed.id);
    await store.create({ title: 'Born offline' });

    const events: string[] = [];
    client.on('*', (payload, name) => {
      const p = payload as { id?: string; task?: { title: string } };
      if (name.startsWith('task.')) events.push(`${name} ${p.task?.title ?? p.id}`);
    });
    const snapshot = nextEvent<EventPayload<'sync.snapshot'>>(client, 'sync.snapshot');
    const plainSnapshot = nextEvent(plain, 'sync.snapshot');
    await h.server(root, { port, httpPort });
    await snapshot;
    await plainSnapshot;

    expect(client.epoch).not.toBe(epoch);
    expect(events).toEqual(
      expect.arrayContaining([
        'task.updated Kept, edited offline',
        `task.deleted ${doomed.id}`,
        'task.created Born offline',
      ]),
    );
    expect(client.replica?.tasks().map((t) => t.title)).toEqual(['Kept, edited offline', 'Last', 'Born offline']);
    // The socket may be refused while the server starts (503); then HTTP polling catches up first.
    await modeReached(client, 'realtime');
    expect(modes.filter((m) => m !== 'polling')).toEqual(['offline', 'realtime']);

    // And live events keep flowing on the new epoch.
    const live = nextEvent<EventPayload<'task.created'>>(client, 'task.created');
    await plain.call('task.create', { task: { title: 'After restart' } });
    expect((await live).task.title).toBe('After restart');
  });

  it('misses nothing and repeats nothing after a dropped connection to the same server, without a full resync', async () => {
    const root = await h.project();
    // Frames above 4 KB make the server drop the socket (1009): a real disconnect without a restart.
    const server = await h.server(root, { maxPayloadBytes: 4096 });
    const client = h.track(createClient({ url: server.wsUrl, token: server.token, replica: true, reconnect: { minDelayMs: 1000, maxDelayMs: 1000 } }));
    const writer = h.track(createClient({ url: server.wsUrl, token: server.token }));
    await Promise.all([client.ready(), writer.ready()]);
    const first = await writer.call('task.create', { task: { title: 'Before the drop' } });
    await until(() => client.replica?.get(first.id) !== undefined, 'the first task in the replica');
    const epoch = client.epoch;
    const events: string[] = [];
    client.on('*', (_payload, name) => events.push(name));

    const oversized = client.call('task.create', { task: { title: 'Too big', details: 'x'.repeat(10_000) } });
    await expect(oversized).rejects.toMatchObject({ code: 1001 });
    await modeReached(client, 'offline');
    // Usually done before the client is back (then sync.pull brings it), else it comes live: either way once.
    const missed = await writer.call('task.create', { task: { title: 'Missed while away' } });
    await writer.call('task.update', { id: first.id, status: 'done' });
    await modeReached(client, 'realtime');
    await until(() => client.replica?.get(first.id)?.status === 'done', 'the missed update in the replica');

    expect(client.epoch).toBe(epoch);
    expect(events).not.toContain('sync.snapshot');
    expect(events.filter((e) => e === 'task.created')).toHaveLength(1);
    expect(client.replica?.get(missed.id)?.title).toBe('Missed while away');
    expect(client.replica?.tasks()).toEqual((await writer.call('tasks.list')).tasks);
  });

  it('emits each event once across a server restart', async () => {
    const root = await h.project();
    const server = await h.server(root);
    const client = h.track(createClient({ url: server.wsUrl, root, reconnect: fast }));
    const writer = h.track(createClient({ url: server.wsUrl, root, reconnect: fast }));
    await Promise.all([client.ready(), writer.ready()]);
    const titles: string[] = [];
    client.on('task.created', (p) => titles.push(p.task.title));
    await writer.call('task.create', { task: { title: 'before' } });
    await until(() => titles.length === 1, 'the first event');
    const { port, httpPort } = server;
    await h.stop(server);
    // The restarted server has a new epoch: the client gets a full resync.
    await modeReached(client, 'offline');
    const next = await h.server(root, { port, httpPort });
    await Promise.all([modeReached(client, 'realtime'), modeReached(writer, 'realtime')]);
    await writer.call('task.create', { task: { title: 'after' } });
    await until(() => titles.includes('after'), 'the event after the restart');
    expect(titles).toEqual(['before', 'after']);
    expect(client.epoch).toBe(next.epoch);
  });

  it('sends calls made while the server is down once it is back, in order', async () => {
    const root = await h.project();
    const server = await h.server(root);
    const client = h.track(createClient({ url: server.wsUrl, root, reconnect: fast }));
    await client.ready();
    const { port, httpPort } = server;
    await h.stop(server);
    await modeReached(client, 'offline');

    const titles = ['first', 'second', 'third', 'fourth'];
    const calls = titles.map((title) => client.call('task.create', { task: { title } }));
    await h.server(root, { port, httpPort });
    const results = await Promise.all(calls);
    expect(results.map((r) => r.task.title)).toEqual(titles);
    const { data } = await (await openStore(root)).read();
    expect(tagsOf(data).master?.tasks.map((t) => t.title)).toEqual(titles);
  });

  it('rejects calls beyond the queue limit while offline with 1001', async () => {
    const root = await h.project();
    const server = await h.server(root);
    const client = h.track(createClient({ url: server.wsUrl, token: server.token, reconnect: fast, queueLimit: 2 }));
    await client.ready();
    await h.stop(server);
    await modeReached(client, 'offline');
    const queued = [client.call('ping'), client.call('ping')];
    await expect(client.call('ping')).rejects.toMatchObject({ code: 1001 });
    await client.close();
    for (const call of queued) await expect(call).rejects.toMatchObject({ code: 1001, message: 'the client was closed' });
  });
});
