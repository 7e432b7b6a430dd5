import { describe, expect, it } from 'vitest';
import { findTask, idKey, nextId, parseTaskRef, sameId, type TagData } from '../src/index.js';

const tag: TagData = {
  tasks: [
    { id: 1, title: 'one', subtasks: [{ id: 1, title: 'one.one' }, { id: 2, title: 'one.two' }] },
    { id: '7', title: 'seven' },
  ],
};

describe('task ids', () => {
  it('treats 5 and "5" as the same id', () => {
    expect(sameId(5, '5')).toBe(true);
    expect(idKey(' 5 ')).toBe('5');
  });

  it('parses task and subtask references', () => {
    expect(parseTaskRef(5)).toEqual({ taskId: '5' });
    expect(parseTaskRef('5.2')).toEqual({ taskId: '5', subtaskId: '2' });
    expect(parseTaskRef('task-001')).toBeUndefined();
  });

  it('finds tasks by numeric or string id and subtasks by dotted id', () => {
    expect(findTask(tag, '1')?.task.title).toBe('one');
    expect(findTask(tag, 7)?.task.title).toBe('seven');
    const sub = findTask(tag, '1.2');
    expect(sub?.kind).toBe('subtask');
    expect(sub?.task.title).toBe('one.two');
    expect(findTask(tag, '1.9')).toBeUndefined();
    expect(findTask(tag, 99)).toBeUndefined();
  });

  it('gives the next id after the largest, whatever the id types', () => {
    expect(nextId(tag.tasks)).toBe(8);
    expect(nextId([])).toBe(1);
  });
});
