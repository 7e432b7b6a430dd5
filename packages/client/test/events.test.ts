import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventPayload } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
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

  it("keeps a replica's tags the file's through add-tag, copy-tag, rename-tag and delete-tag, an empty tag included", async () => {
    const root = await h.project({ fixture: true });
    const server = await h.server(root);
    const reader = h.track(createClient({ url: server.wsUrl, token: server.token, replica: true }));
    const writer = h.track(createClient({ url: server.wsUrl, token: server.token }));
    await Promise.all([reader.ready(), writer.ready()]);
    const onDisk = async () => Object.keys(JSON.parse(await readFile(join(root, '.taskmaster/tasks/tasks.json'), 'utf8')));
    const held = () => Object.keys(reader.replica!.data() ?? {});
    const same = async (what: string) => {
      const want = await onDisk();
      await until(() => JSON.stringify(held()) === JSON.stringify(want), what);
    };
    await writer.call('tag.add', { name: 'empty-one' });
    await same('the empty tag');
    expect(reader.replica!.tasks('empty-one')).toEqual([]);
    await writer.call('tag.copy', { from: 'loop', to: 'loop-copy' });
    await same('the copy');
    await writer.call('tag.rename', { from: 'loop', to: 'loop-renamed' });
    await same('the rename');
    expect(held()).not.toContain('loop');
    expect(reader.replica!.tasks('loop-renamed')).toEqual(reader.replica!.tasks('loop-copy'));
    await writer.call('tag.delete', { name: 'loop-copy' });
    await same('the delete');
    expect(held()).not.toContain('loop-copy');
  });

  it('with a replica, takes updates as only what changed, yet tells listeners the whole task and keeps the same file as the server', async () => {
    const root = await h.project({ fixture: true });
    const server = await h.server(root);
    // What reaches the replica's socket, as sent.
    const frames: string[] = [];
    class RecordingWebSocket extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        this.on('message', (data) => frames.push(String(data)));
      }
    }
    const reader = h.track(createClient({ url: server.wsUrl, token: server.token, replica: true, WebSocket: RecordingWebSocket }));
    const writer = h.track(createClient({ url: server.wsUrl, token: server.token }));
    await Promise.all([reader.ready(), writer.ready()]);

    // Task 61 of the fixture is 124 KB with its subtasks; its new title is what travels.
    const seen = nextEvent<EventPayload<'task.updated'>>(reader, 'task.updated', (p) => p.id === '61');
    await writer.call('task.update', { id: 61, title: 'Renamed', priority: 'low' });
    const updated = await seen;
    expect(updated.task).toMatchObject({ id: 61, title: 'Renamed', priority: 'low', status: reader.replica!.get(61)!.status });
    expect(updated.task.subtasks).toHaveLength(45);
    expect(updated.changed.sort()).toEqual(['priority', 'title']);
    const wire = frames.filter((f) => f.includes('"id":"61"'));
    expect(wire.some((f) => f.includes('task.patched'))).toBe(true);
    expect(wire.some((f) => f.includes('task.updated'))).toBe(false);
    expect(Math.max(...wire.map((f) => f.length))).toBeLessThan(1000);

    // Subtasks, statuses, a new task: the replica ends where the server's file is.
    const status = nextEvent(reader, 'task.status.changed', (p: { id: string }) => p.id === '61.3');
    await writer.call('task.update', { id: '61.3', title: 'Sub, renamed' });
    await writer.call('task.setStatus', { ids: ['61.3'], status: 'review' });
    await status;
    const created = await writer.call('task.create', { task: { title: 'Fresh' } });
    await until(() => reader.replica!.get(created.id) !== undefined, 'the new task in the replica');
    const { data } = await writer.call('sync.pull', {});
    // Task by task (a tag's metadata is not told by task events).
    const tasksOf = (file: unknown) => Object.fromEntries(Object.entries(file as Record<string, { tasks: unknown[] }>).map(([tag, t]) => [tag, t.tasks]));
    expect(tasksOf(reader.replica!.data())).toEqual(tasksOf(data));
  });

  for (const mendedBy of ['another save', 'a client\'s update'] as const) {
    it(`keeps replicas equal to the file through a tag another program broke and changed, then mended by ${mendedBy}`, async () => {
      const root = await h.project();
      const file = join(root, '.taskmaster/tasks/tasks.json');
      const edit = async (change: (data: any) => void) => {
        const data = JSON.parse(await readFile(file, 'utf8'));
        change(data);
        await writeFile(file, JSON.stringify(data, null, 2));
      };
      const start = { master: { tasks: [{ id: 1, title: 'M', status: 'pending' }], metadata: {} }, feature: { tasks: [{ id: 1, title: 'F1', status: 'pending' }, { id: 2, title: 'F2', status: 'pending' }], metadata: {} } };
      await writeFile(file, JSON.stringify(start, null, 2));
      const server = await h.server(root, { debounceMs: 20 });
      const early = h.track(createClient({ url: server.wsUrl, token: server.token, replica: true }));
      await early.ready();
      // One save breaks feature's task 1 and finishes its task 2: the server sends nothing of that tag while it is broken.
      const broke = nextEvent(early, 'file.invalid');
      await edit((d) => {
        d.feature.tasks[0].title = null;
        d.feature.tasks[1].status = 'done';
      });
      await broke;
      // A client that connects meanwhile starts from the version the others hold: the tag as it was.
      const late = h.track(createClient({ url: server.wsUrl, token: server.token, replica: true }));
      await late.ready();
      expect((late.replica!.data() as typeof start).feature.tasks).toEqual(start.feature.tasks);
      // Mended: both replicas end where the file is, task 2's status included.
      const mended = [early, late].map((c) => nextEvent(c, 'task.updated', (p: { tag: string; id: string }) => p.tag === 'feature' && p.id === '1'));
      if (mendedBy === 'another save') await edit((d) => void (d.feature.tasks[0].title = 'F1, mended'));
      else await early.call('task.update', { tag: 'feature', id: 1, title: 'F1, mended' });
      await Promise.all(mended);
      const onDisk = JSON.parse(await readFile(file, 'utf8'));
      expect(onDisk.feature.tasks[1].status).toBe('done');
      for (const client of [early, late]) await until(() => JSON.stringify((client.replica!.data() as typeof onDisk).feature.tasks) === JSON.stringify(onDisk.feature.tasks), 'the replica where the file is');
    });
  }

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
