import { readFileSync } from 'node:fs';
import { diffTasksFiles, tagsOf, type TaggedTasksFile, type TasksFile } from '@taskmaster/protocol';
import { describe, expect, it } from 'vitest';
import { ReplicaStore } from '../src/replica.js';
import { FIXTURE } from './helpers.js';


function file(): TaggedTasksFile {
  return {
    master: {
      tasks: [
        { id: 1, title: 'One', status: 'pending', subtasks: [{ id: 1, title: 'One.one', status: 'pending' }] },
        { id: 2, title: 'Two', status: 'done', custom: { kept: true } },
      ],
      metadata: { created: '2025-01-01T00:00:00.000Z' },
    },
    feature: { tasks: [{ id: 1, title: 'Feature one' }] },
  };
}

function replicaOf(data: TasksFile): ReplicaStore {
  const replica = new ReplicaStore();
  replica.replace(structuredClone(data));
  return replica;
}

describe('replica', () => {
  it('adds a created task to its tag', () => {
    const replica = replicaOf(file());
    replica.apply('task.created', { tag: 'master', id: '3', revision: 1, task: { id: 3, title: 'Three' } });
    expect(replica.tasks().map((t) => t.title)).toEqual(['One', 'Two', 'Three']);
    expect(replica.get(3)?.title).toBe('Three');
  });

  it('adds a created subtask to its parent', () => {
    const replica = replicaOf(file());
    replica.apply('task.created', { tag: 'master', id: '1.2', parentId: '1', revision: 1, task: { id: 2, title: 'One.two' } });
    expect(replica.get('1')?.subtasks?.map((s) => s.title)).toEqual(['One.one', 'One.two']);
    expect(replica.get('1.2')?.title).toBe('One.two');
  });

  it('replaces an updated task, keeping unknown fields the server sent', () => {
    const replica = replicaOf(file());
    const task = { id: 2, title: 'Two, renamed', status: 'done', custom: { kept: true } };
    replica.apply('task.updated', { tag: 'master', id: '2', revision: 1, task, changed: ['title'] });
    expect(replica.get(2)).toEqual(task);
  });

  it('updates a subtask in place without touching its siblings or parent', () => {
    const replica = replicaOf(file());
    replica.apply('task.updated', {
      tag: 'master',
      id: '1.1',
      parentId: '1',
      revision: 1,
      task: { id: 1, title: 'One.one', status: 'done' },
      changed: ['status'],
    });
    expect(replica.get('1.1')?.status).toBe('done');
    expect(replica.get(1)?.status).toBe('pending');
  });

  it('removes deleted tasks and subtasks', () => {
    const replica = replicaOf(file());
    replica.apply('task.deleted', { tag: 'master', id: '1.1', parentId: '1', revision: 1 });
    expect(replica.get(1)?.subtasks).toEqual([]);
    replica.apply('task.deleted', { tag: 'master', id: '2', revision: 2 });
    expect(replica.tasks().map((t) => t.id)).toEqual([1]);
  });

  it('applies status changes to tasks and subtasks', () => {
    const replica = replicaOf(file());
    replica.apply('task.status.changed', { tag: 'master', id: '1.1', parentId: '1', revision: 1, from: 'pending', to: 'in-progress' });
    replica.apply('task.status.changed', { tag: 'feature', id: '1', revision: 2, to: 'review' });
    expect(replica.get('1.1')?.status).toBe('in-progress');
    expect(replica.get(1, 'feature')?.status).toBe('review');
  });

  it('creates a tag it has not seen when a task is created there', () => {
    const replica = replicaOf(file());
    replica.apply('task.created', { tag: 'new-tag', id: '1', revision: 1, task: { id: 1, title: 'Fresh' } });
    expect(replica.tasks('new-tag').map((t) => t.title)).toEqual(['Fresh']);
  });

  it("makes its tags a file.changed's tags: one gone goes, a new one comes empty, the order is the file's", () => {
    const replica = replicaOf(file());
    const feature = replica.data()!.feature;
    expect(replica.apply('file.changed', { path: 'tasks.json', source: 'server', revision: 3 })).toBe(false);
    expect(replica.apply('file.changed', { path: 'tasks.json', source: 'server', revision: 4, tags: ['feature', 'empty', '__proto__'] })).toBe(true);
    expect(Object.keys(replica.data()!)).toEqual(['feature', 'empty', '__proto__']);
    expect(replica.data()!.feature).toBe(feature);
    expect(replica.tasks('empty')).toEqual([]);
    expect(replica.tasks('__proto__')).toEqual([]);
    expect(Object.getPrototypeOf(replica.data())).toBe(Object.prototype);
    expect(replica.apply('file.changed', { path: 'tasks.json', source: 'server', revision: 5, tags: ['feature', 'empty', '__proto__'] })).toBe(false);
    // A legacy untagged file holds only master: left alone.
    const legacy = replicaOf({ tasks: [{ id: 1, title: 'Legacy' }] });
    expect(legacy.apply('file.changed', { path: 'tasks.json', source: 'server', revision: 1, tags: ['master', 'other'] })).toBe(false);
  });

  it('replaces everything on a snapshot', () => {
    const replica = replicaOf(file());
    const data = { master: { tasks: [{ id: 9, title: 'Only' }] } };
    replica.apply('sync.snapshot', { epoch: 'e2', revision: 0, data });
    expect(replica.data()).toBe(data);
    expect(replica.tasks('feature')).toEqual([]);
  });

  it('treats a legacy untagged file as the master tag', () => {
    const replica = replicaOf({ tasks: [{ id: 1, title: 'Legacy' }] });
    replica.apply('task.created', { tag: 'master', id: '2', revision: 1, task: { id: 2, title: 'Added' } });
    expect(replica.tasks().map((t) => t.title)).toEqual(['Legacy', 'Added']);
    expect((replica.data() as { tasks: unknown[] }).tasks).toHaveLength(2);
  });

  it('is idempotent: an event applied twice leaves one copy', () => {
    const replica = replicaOf(file());
    const created = { tag: 'master', id: '1.2', parentId: '1', revision: 1, task: { id: 2, title: 'Once' } };
    replica.apply('task.created', created);
    replica.apply('task.created', created);
    replica.apply('task.deleted', { tag: 'master', id: '5', revision: 2 });
    expect(replica.get(1)?.subtasks).toHaveLength(2);
  });

  it('tells listeners after each change', () => {
    const replica = replicaOf(file());
    let calls = 0;
    const stop = replica.onChange(() => calls++);
    replica.apply('task.deleted', { tag: 'master', id: '2', revision: 1 });
    stop();
    replica.apply('task.deleted', { tag: 'master', id: '1', revision: 2 });
    expect(calls).toBe(1);
  });

  it('moves a subtask to another parent on task.moved, renumbered, and tells listeners', () => {
    const replica = replicaOf(file());
    let calls = 0;
    replica.onChange(() => calls++);
    const applied = replica.apply('task.moved', {
      tag: 'master',
      id: '2.1',
      parentId: '2',
      revision: 1,
      from: { parentId: '1', index: 0, id: '1.1' },
      to: { parentId: '2', index: 0 },
    });
    expect(applied).toBe(true);
    expect(calls).toBe(1);
    expect(replica.get('1.1')).toBeUndefined();
    expect(replica.get('2.1')).toMatchObject({ title: 'One.one', status: 'pending' });
    expect(replica.get(1)?.subtasks).toEqual([]);
  });

  it('reorders tasks on task.moved, and ignores events it does not know', () => {
    const replica = replicaOf(file());
    replica.apply('task.moved', { tag: 'master', id: '2', revision: 1, from: { index: 1 }, to: { index: 0 } });
    expect(replica.tasks().map((t) => t.title)).toEqual(['Two', 'One']);
    expect(replica.apply('task.teleported', { tag: 'master', id: '2' })).toBe(false);
    expect(replica.apply('file.changed', { path: 'x', source: 'external', revision: 2 })).toBe(false);
    expect(replica.tasks().map((t) => t.title)).toEqual(['Two', 'One']);
  });

  it('reaches the server\'s file through a diff with moves: a reorder, a subtask moved between parents', () => {
    const before = file();
    const after = structuredClone(before);
    const [sub] = after.master!.tasks[0]!.subtasks!.splice(0, 1);
    after.master!.tasks[1]!.subtasks = [{ ...sub!, status: 'done' }];
    after.master!.tasks.reverse();
    const changes = diffTasksFiles(before, after);
    expect(changes.map((c) => c.event)).toEqual(['task.moved', 'task.moved', 'task.updated', 'task.status.changed']);
    const replica = replicaOf(before);
    changes.forEach((change, i) => replica.apply(change.event, { ...change.payload, revision: i + 1 }));
    expect(replica.data()).toEqual(after);
  });

  it('reaches the same file as the server by applying the events of a diff (real fixture)', () => {
    const before = JSON.parse(readFileSync(FIXTURE, 'utf8')) as TaggedTasksFile;
    const after = structuredClone(before);
    const tags = tagsOf(after);
    const [firstTag, secondTag] = Object.keys(tags);
    const tasks = tags[firstTag!]!.tasks;
    tasks[0]!.status = 'done';
    const parent = tasks.find((t) => (t.subtasks?.length ?? 0) > 1)!;
    parent.subtasks = parent.subtasks!.slice(1);
    tasks.splice(tasks.indexOf(parent) + 1, 1);
    tags[secondTag!]!.tasks.push({ id: 999, title: 'Added', subtasks: [{ id: 1, title: 'Sub' }] });
    const withSub = tasks.find((t) => (t.subtasks?.length ?? 0) > 0)!;
    withSub.subtasks![0]!.title = 'Renamed subtask';

    const replica = replicaOf(before);
    diffTasksFiles(before, after).forEach((change, i) => replica.apply(change.event, { ...change.payload, revision: i + 1 }));
    expect(replica.data()).toEqual(after);
  });
});
