import { describe, expect, it } from 'vitest';
import { applyTaskChange, findTag, type TaggedTasksFile, type TasksFile } from '../src/index.js';

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
