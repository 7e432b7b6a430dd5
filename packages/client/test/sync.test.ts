import { describe, expect, it } from 'vitest';
import { EventBus } from '../src/emitter.js';
import { ReplicaStore } from '../src/replica.js';
import { Synchronizer } from '../src/sync.js';

function setup(withReplica = true) {
  const bus = new EventBus();
  const replica = withReplica ? new ReplicaStore() : undefined;
  const refused: string[] = [];
  const sync = new Synchronizer(bus, replica, (error) => refused.push(error.message));
  const seen: Array<{ name: string; payload: any }> = [];
  bus.on('*', (payload, name) => seen.push({ name, payload }));
  return { sync, replica, seen, refused };
}

const created = (revision: number, id: number) => ({
  tag: 'master',
  id: String(id),
  revision,
  task: { id, title: `Task ${id}` },
});

const baseline = { epoch: 'e1', revision: 3, full: true, events: [], data: { master: { tasks: [] } } };

describe('synchronizer', () => {
  it('takes the first pull as the baseline without emitting history', () => {
    const { sync, replica, seen } = setup();
    sync.applyPull(baseline);
    expect(sync.epoch).toBe('e1');
    expect(sync.revision).toBe(3);
    expect(replica?.data()).toEqual({ master: { tasks: [] } });
    expect(seen).toEqual([]);
  });

  it('emits live events once, dropping repeats and events the baseline covered', () => {
    const { sync, seen } = setup();
    sync.applyPull(baseline);
    sync.receive('task.created', created(3, 1));
    sync.receive('task.created', created(4, 4));
    sync.receive('task.created', created(4, 4));
    sync.receive('task.created', created(5, 5));
    expect(seen.map((e) => e.payload.revision)).toEqual([4, 5]);
  });

  it('emits missed events from a pull in order, skipping ones already seen live', () => {
    const { sync, replica, seen } = setup();
    sync.applyPull(baseline);
    sync.receive('task.created', created(4, 4));
    sync.applyPull({ epoch: 'e1', revision: 6, full: false, events: [4, 5, 6].map((r) => ({ event: 'task.created', payload: created(r, r) })) });
    expect(seen.map((e) => e.payload.revision)).toEqual([4, 5, 6]);
    expect(replica?.tasks().map((t) => t.id)).toEqual([4, 5, 6]);
    expect(sync.revision).toBe(6);
  });

  it('holds live events during a resync and delivers only those the pull did not have', () => {
    const { sync, seen } = setup();
    sync.applyPull(baseline);
    sync.beginResync();
    sync.receive('task.created', created(5, 5));
    sync.receive('task.created', created(6, 6));
    expect(seen).toEqual([]);
    sync.applyPull({ epoch: 'e1', revision: 5, full: false, events: [4, 5].map((r) => ({ event: 'task.created', payload: created(r, r) })) });
    sync.endResync();
    expect(seen.map((e) => e.payload.revision)).toEqual([4, 5, 6]);
  });

  it('turns a full pull after a restart into the task events that changed, then sync.snapshot', () => {
    const { sync, replica, seen } = setup();
    sync.applyPull({ ...baseline, data: { master: { tasks: [{ id: 1, title: 'Old' }, { id: 2, title: 'Gone' }] } } });
    const data = { master: { tasks: [{ id: 1, title: 'New' }, { id: 3, title: 'Added' }] } };
    sync.applyPull({ epoch: 'e2', revision: 0, full: true, events: [], data });
    expect(seen.map((e) => `${e.name} ${e.payload.id ?? ''}`.trim())).toEqual([
      'task.updated 1',
      'task.created 3',
      'task.deleted 2',
      'sync.snapshot',
    ]);
    expect(sync.epoch).toBe('e2');
    expect(sync.revision).toBe(0);
    expect(replica?.data()).toBe(data);
    // The new epoch's revisions start again: its first event is news.
    sync.receive('task.created', created(1, 7));
    expect(seen.at(-1)?.payload.id).toBe('7');
  });

  it('replaces the replica on a sync.snapshot event', () => {
    const { sync, replica, seen } = setup();
    sync.applyPull(baseline);
    const data = { master: { tasks: [{ id: 8, title: 'Forced' }] } };
    sync.receive('sync.snapshot', { epoch: 'e1', revision: 10, data });
    expect(replica?.get(8)?.title).toBe('Forced');
    expect(seen.map((e) => e.name)).toEqual(['sync.snapshot']);
    sync.receive('task.created', created(10, 10));
    expect(seen).toHaveLength(1);
  });

  it("skips the events a pull carries that their schema refuses, and reports each", () => {
    const { sync, replica, seen, refused } = setup();
    // A baseline of its own: the shared one's list holds what earlier tests' replicas added to it.
    sync.applyPull({ ...baseline, data: { master: { tasks: [] } } });
    const bad = { ...created(5, 5), task: { id: 5, title: null } };
    sync.applyPull({ epoch: 'e1', revision: 6, full: false, events: [{ event: 'task.created', payload: created(4, 4) }, { event: 'task.created', payload: bad }, { event: 'task.created', payload: created(6, 6) }] });
    expect(seen.map((e) => e.payload.revision)).toEqual([4, 6]);
    expect(replica?.tasks().map((t) => t.id)).toEqual([4, 6]);
    expect(refused).toEqual(["the server's task.created event does not match the protocol: task.title: expected string, received null"]);
  });

  it('takes a sync.snapshot holding a tag the file already had broken, and refuses one that is no tasks file', () => {
    const { sync, replica, seen, refused } = setup();
    sync.applyPull(baseline);
    const data = { master: { tasks: [{ id: 8, title: 'Kept' }] }, old: { tasks: [{ id: 1, title: null }] } };
    sync.receive('sync.snapshot', { epoch: 'e1', revision: 10, data });
    expect(replica?.data()).toBe(data);
    sync.receive('sync.snapshot', { epoch: 'e1', revision: 11, data: [1, 2] });
    expect(replica?.data()).toBe(data);
    expect(seen.map((e) => e.name)).toEqual(['sync.snapshot']);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^the server's sync\.snapshot event does not match the protocol: data: /);
  });

  it('always emits events that are not changes, such as sync.connected', () => {
    const { sync, seen } = setup(false);
    sync.setBaseline('e1', 9);
    sync.receive('sync.connected', { clientId: 'c', connections: 2, revision: 9 });
    sync.receive('sync.connected', { clientId: 'c', connections: 2, revision: 9 });
    expect(seen).toHaveLength(2);
  });

  it('reports the newest revision of a response without hiding older events still on their way', () => {
    const { sync, seen } = setup(false);
    sync.setBaseline('e1', 3);
    sync.noteResult({ revision: 5, id: '5' });
    expect(sync.revision).toBe(5);
    sync.receive('task.created', created(4, 4));
    sync.receive('task.created', created(5, 5));
    expect(seen.map((e) => e.payload.revision)).toEqual([4, 5]);
  });
});
