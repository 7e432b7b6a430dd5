import { describe, expect, it } from 'vitest';
import { blockersOf, isFinishedStatus, statusesById, subtaskProgress, type Task } from '../src/index.js';

const task = (id: number, status: string, dependencies: Array<number | string> = [], subtasks: Task['subtasks'] = []): Task =>
  ({ id, title: `Task ${id}`, status, dependencies, subtasks }) as Task;

describe('readiness: the rule tasks.next, list --ready, the board and the tree share', () => {
  const tasks = [
    task(1, 'done'),
    task(2, 'cancelled'),
    task(3, 'in-progress'),
    task(4, 'pending', [1, '2', 3, 9]),
    task(5, 'pending', [], [
      { id: 1, title: 'a', status: 'done', dependencies: [] },
      { id: 2, title: 'b', status: 'pending', dependencies: [1, 3, '3.0'] },
    ] as Task['subtasks']),
  ];
  const statuses = statusesById(tasks);

  it('counts done, completed and cancelled as finished, as Task Master does', () => {
    expect(['done', 'completed', 'cancelled', 'pending', 'review', undefined, null].map(isFinishedStatus)).toEqual([true, true, true, false, false, false, false]);
  });

  it('names each unfinished or missing dependency with its status, whatever the id spelling', () => {
    expect(blockersOf(tasks[3]!, statuses)).toEqual([
      { id: '3', status: 'in-progress' },
      { id: '9', status: undefined },
    ]);
  });

  it('reads a plain id inside a subtask as its sibling, and a finished task as held up by nothing', () => {
    const sub = tasks[4]!.subtasks![1]!;
    // 1 is 5.1 (done), 3 is 5.3 (no such subtask), a dotted id names any task's subtask.
    expect(blockersOf(sub, statuses, '5')).toEqual([
      { id: '5.3', status: undefined },
      { id: '3.0', status: undefined },
    ]);
    expect(blockersOf({ status: 'done', dependencies: [9] }, statuses)).toEqual([]);
  });

  it('counts subtask progress, and none for a task without subtasks', () => {
    expect(subtaskProgress(tasks[4]!)).toEqual({ done: 1, total: 2 });
    expect(subtaskProgress(tasks[0]!)).toBeUndefined();
  });
});
