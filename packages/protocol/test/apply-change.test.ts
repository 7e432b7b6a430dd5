import { describe, expect, it } from 'vitest';
import { applyTaskChange, expandTaskPatch, findTag, taskPatchOf, type TaggedTasksFile, type TasksFile } from '../src/index.js';

function file(): TaggedTasksFile {
  return { master: { tasks: [{ id: 1, title: 'One', subtasks: [{ id: 1, title: 'One.one' }] }, { id: 2, title: 'Two' }] } };
}

describe('applyTaskChange', () => {
  it('creates a tag named __proto__ as an own key, leaving the prototype alone', () => {
    const data = file();
    expect(applyTaskChange(data, { event: 'task.created', payload: { tag: '__proto__', id: '1', task: { id: 1, title: 'Odd tag' } } })).toBe(true);
    expect(Object.keys(data)).toEqual(['master', '__proto__']);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(findTag(data, '__proto__')?.tasks.map((t) => t.title)).toEqual(['Odd tag']);
    expect(applyTaskChange(data, { event: 'task.deleted', payload: { tag: 'constructor', id: '1' } })).toBe(false);
  });

  it('keeps a task\'s subtasks on task.updated: they change by their own events', () => {
    const data = file();
    applyTaskChange(data, { event: 'task.updated', payload: { tag: 'master', id: '1', task: { id: 1, title: 'One, renamed', subtasks: [] }, changed: ['title'] } });
    expect(data.master!.tasks[0]).toEqual({ id: 1, title: 'One, renamed', subtasks: [{ id: 1, title: 'One.one' }] });
  });

  it('is idempotent for a move applied twice, and does nothing for one whose item is gone', () => {
    const data = file();
    const move = { event: 'task.moved', payload: { tag: 'master', id: '2.2', parentId: '2', from: { parentId: '1', index: 0, id: '1.1' }, to: { parentId: '2', index: 0 } } } as const;
    expect(applyTaskChange(data, move)).toBe(true);
    expect(applyTaskChange(data, move)).toBe(false);
    expect(data.master!.tasks).toEqual([
      { id: 1, title: 'One', subtasks: [] },
      { id: 2, title: 'Two', subtasks: [{ id: 2, title: 'One.one' }] },
    ]);
  });

  it('applies events of other tags to a legacy file only for master', () => {
    const data: TasksFile = { tasks: [{ id: 1, title: 'Legacy' }] };
    expect(applyTaskChange(data, { event: 'task.created', payload: { tag: 'other', id: '1', task: { id: 1, title: 'x' } } })).toBe(false);
    expect(applyTaskChange(data, { event: 'task.status.changed', payload: { tag: 'master', id: '1', to: 'done' } })).toBe(true);
    expect(data).toEqual({ tasks: [{ id: 1, title: 'Legacy', status: 'done' }] });
  });
});

describe('task.patched: a task.updated as only what changed', () => {
  const big = { id: 1, title: 'One', details: 'x'.repeat(5000), status: 'pending', priority: 'high', subtasks: [{ id: 1, title: 'One.one', details: 'y'.repeat(2000) }] };

  it('carries the changed fields\' values and the dropped fields, not the task or its subtasks', () => {
    const { priority: _dropped, ...after } = { ...big, title: 'One, renamed' };
    const updated = { tag: 'master', id: '1', revision: 7, task: after, changed: ['title', 'priority'] };
    const patch = taskPatchOf(updated);
    expect(patch).toEqual({ tag: 'master', id: '1', revision: 7, set: { title: 'One, renamed' }, unset: ['priority'] });
    expect(JSON.stringify(patch).length).toBeLessThan(JSON.stringify(updated).length / 50);
  });

  it('expands back into the task.updated it stands for, from the item the file holds (the file untouched)', () => {
    const data: TaggedTasksFile = { master: { tasks: [structuredClone(big)] } };
    const expanded = expandTaskPatch(data, { tag: 'master', id: '1', revision: 7, set: { title: 'One, renamed', testStrategy: 'new' }, unset: ['priority'] });
    expect(expanded).toEqual({ tag: 'master', id: '1', revision: 7, task: { ...big, title: 'One, renamed', priority: undefined, testStrategy: 'new' }, changed: ['title', 'testStrategy', 'priority'] });
    // Fields keep their places, new ones go last, as the server writes them.
    expect(Object.keys(expanded!.task)).toEqual(['id', 'title', 'details', 'status', 'subtasks', 'testStrategy']);
    expect(data.master!.tasks[0]).toEqual(big);
    // A subtask, by its full id.
    const sub = expandTaskPatch(data, { tag: 'master', id: '1.1', parentId: '1', revision: 8, set: { status: 'done' }, unset: [] });
    expect(sub?.task).toEqual({ ...big.subtasks[0], status: 'done' });
    // Nothing to patch: no such item, tag, or a payload that is not one.
    expect(expandTaskPatch(data, { tag: 'master', id: '9', revision: 8, set: { title: 'x' }, unset: [] })).toBeUndefined();
    expect(expandTaskPatch(data, { tag: 'other', id: '1', revision: 8, set: { title: 'x' }, unset: [] })).toBeUndefined();
    expect(expandTaskPatch(data, null as never)).toBeUndefined();
  });

  it('sets a field named __proto__ as an own field, leaving the prototype alone', () => {
    const fromWire = JSON.parse('{"id": 1, "title": "One", "__proto__": {"polluted": true}}');
    const patch = taskPatchOf({ tag: 'master', id: '1', revision: 1, task: fromWire, changed: ['__proto__'] });
    expect(Object.keys(patch.set)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(patch.set)).toBe(Object.prototype);
    const data: TaggedTasksFile = { master: { tasks: [{ id: 1, title: 'One' }] } };
    const task = expandTaskPatch(data, patch)!.task as Record<string, unknown>;
    expect(Object.keys(task)).toEqual(['id', 'title', '__proto__']);
    expect(Object.getPrototypeOf(task)).toBe(Object.prototype);
    expect((task as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
