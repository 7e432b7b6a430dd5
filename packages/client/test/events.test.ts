import type { EventPayload } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { Harness, nextEvent, until } from './helpers.js';

const h = new Harness();
afterEach(() => h.cleanup());

describe('events', () => {
  it('lets two clients see each other’s updates', async () => {
    const root = await h.project();
    const server = await h.server(root);
    const alice = h.track(createClient({ url: server.wsUrl, token: server.token, clientName: 'alice' }));
    const bob = h.track(createClient({ url: server.wsUrl, token: server.token, clientName: 'bob' }));
    await Promise.all([alice.ready(), bob.ready()]);

    const created = await alice.call('task.create', { task: { title: 'Shared' } });
    const bobSees = nextEvent<EventPayload<'task.updated'>>(bob, 'task.updated', (p) => p.id === created.id);
    await alice.call('task.update', { id: created.id, title: 'Shared, renamed' });
    const seenByBob = await bobSees;
    expect(seenByBob.task.title).toBe('Shared, renamed');
    expect(seenByBob.changed).toEqual(['title']);

    const aliceSees = nextEvent<EventPayload<'task.status.changed'>>(alice, 'task.status.changed');
    await bob.call('task.setStatus', { ids: [created.id], status: 'done' });
    expect((await aliceSees).to).toBe('done');
  });

  it('delivers to pattern listeners with the event name, and stops when unsubscribed', async () => {
    const root = await h.project();
    const server = await h.server(root);
    const client = h.track(createClient({ url: server.wsUrl, token: server.token }));
    const other = h.track(createClient({ url: server.wsUrl, token: server.token }));
    await Promise.all([client.ready(), other.ready()]);
    const names: string[] = [];
    const stop = client.on('task.*', (_payload, name) => names.push(name));

    const created = await other.call('task.create', { task: { title: 'A' } });
    const deleted = nextEvent(client, 'task.deleted');
    await other.call('task.delete', { id: created.id });
    await deleted;
    stop();
    const last = nextEvent(client, 'task.created');
    await other.call('task.create', { task: { title: 'B' } });
    await last;
    expect(names).toEqual(['task.created', 'task.deleted']);
  });

  it('delivers each event once, in revision order', async () => {
    const root = await h.project();
    const server = await h.server(root);
    const client = h.track(createClient({ url: server.wsUrl, token: server.token }));
    const writer = h.track(createClient({ url: server.wsUrl, token: server.token }));
    await Promise.all([client.ready(), writer.ready()]);
    const revisions: number[] = [];
    client.on('task.created', (p) => revisions.push(p.revision));
    await Promise.all(Array.from({ length: 10 }, (_, i) => writer.call('task.create', { task: { title: `T${i}` } })));
    await until(() => revisions.length >= 10, 'ten task.created events');
    await client.call('ping');
    expect(revisions).toHaveLength(10);
    expect(new Set(revisions).size).toBe(10);
    expect([...revisions].sort((a, b) => a - b)).toEqual(revisions);
  });
});
