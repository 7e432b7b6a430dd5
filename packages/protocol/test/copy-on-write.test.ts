import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ChangedPositions,
  changedPositions,
  diffTasksFiles,
  issuesOf,
  validateTasksFile,
  validateTasksFileChange,
  type Task,
  type TaggedTasksFile,
} from '../src/index.js';
import { readFixtureText } from './fixture.js';

/** A new version of `data` that shares every object except the path to task `index` of `tag`, as copy-on-write edits make. */
function withTask(data: TaggedTasksFile, tag: string, index: number, edit: (task: Task) => Task): TaggedTasksFile {
  const tasks = [...data[tag]!.tasks];
  tasks[index] = edit(tasks[index]!);
  return { ...data, [tag]: { ...data[tag]!, tasks } };
}

const deepCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const fixture = () => validateTasksFile(JSON.parse(readFixtureText())) as TaggedTasksFile;

describe('diffTasksFiles on versions that share objects', () => {
  it('reports the same events as on full copies', () => {
    const before = fixture();
    const tag = Object.keys(before).find((t) => before[t]!.tasks.length > 5)!;
    let after = withTask(before, tag, 3, (t) => ({ ...t, title: 'renamed', status: 'review-by-bench' }));
    after = withTask(after, tag, 4, (t) => ({ ...t, subtasks: [...(t.subtasks ?? []), { id: 999, title: 'new sub' }] }));
    const changes = diffTasksFiles(before, after);
    expect(changes).toEqual(diffTasksFiles(deepCopy(before), deepCopy(after)));
    expect(changes.map((c) => c.event)).toEqual(['task.updated', 'task.status.changed', 'task.created']);
  });

  it('finds nothing between a version and itself, or one that only shares objects', () => {
    const data = fixture();
    expect(diffTasksFiles(data, data)).toEqual([]);
    expect(diffTasksFiles(data, { ...data })).toEqual([]);
  });

  it('pairs tasks by id, not by position, once the ids move: a swap is one move, no update', () => {
    const before = fixture();
    const tag = Object.keys(before)[0]!;
    const tasks = before[tag]!.tasks;
    const after = { ...before, [tag]: { ...before[tag]!, tasks: [tasks[1]!, tasks[0]!, ...tasks.slice(2)] } };
    expect(diffTasksFiles(before, after).map((c) => c.event)).toEqual(['task.moved']);
  });
});

describe('ChangedPositions', () => {
  it('finds the places whose item changed, every place past the old end included', () => {
    const [a, b, c, d] = [{}, {}, {}, {}];
    expect(changedPositions([a, b, c], [a, d, c])).toEqual([1]);
    expect(changedPositions([a, b, c], [a, b])).toEqual([]);
    expect(changedPositions([a], [a, b, c])).toEqual([1, 2]);
    expect(changedPositions([], [a, b])).toEqual([0, 1]);
  });

  it('works a long list out once per pair, and again for another old version', () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ i }));
    const after = [...items];
    after[40] = { i: 40 };
    const positions = new ChangedPositions();
    const first = positions.of(items, after);
    expect(first).toEqual([40]);
    expect(positions.of(items, after)).toBe(first);
    expect(positions.of(after, after)).toEqual([]);
  });

  it('shared by the tag check and the diff of one change, gives what each gives alone', () => {
    const before = fixture();
    const tag = Object.keys(before).find((t) => before[t]!.tasks.length > 70)!;
    let after = withTask(before, tag, 3, (t) => ({ ...t, title: 'renamed' }));
    after = withTask(after, tag, 65, (t) => ({ ...t, status: t.status === 'done' ? 'pending' : 'done' }));
    const positions = new ChangedPositions();
    expect(validateTasksFileChange(before, after, [], positions)).toBe(after);
    const changes = diffTasksFiles(before, after, positions);
    expect(changes).toEqual(diffTasksFiles(deepCopy(before), deepCopy(after)));
    expect(changes.map((c) => [c.event, c.payload.id])).toEqual([
      ['task.updated', String(before[tag]!.tasks[3]!.id)],
      ['task.updated', String(before[tag]!.tasks[65]!.id)],
      ['task.status.changed', String(before[tag]!.tasks[65]!.id)],
    ]);
  });
});

describe('validateTasksFileChange', () => {
  it('accepts a valid edit of the fixture', () => {
    const before = fixture();
    const after = withTask(before, 'master', 0, (t) => ({ ...t, status: 'in-progress' }));
    expect(validateTasksFileChange(before, after)).toBe(after);
  });

  it('rejects a broken task with the same issue path as a full validation', () => {
    const before = fixture();
    const after = withTask(before, 'master', 7, (t) => ({ ...t, title: 42 as unknown as string }));
    const full = issuesOf(catchError(() => validateTasksFile(after)))!;
    const error = catchError(() => validateTasksFileChange(before, after));
    expect(error).toBeInstanceOf(z.ZodError);
    expect(issuesOf(error)![0]!.path).toEqual(['master', 'tasks', 7, 'title']);
    expect(issuesOf(error)![0]!.path).toEqual(full[0]!.path);
  });

  it('checks only the changed fields of an updated task, with the issues a full validation gives', () => {
    const before = fixture();
    const withSubtasks = before.master!.tasks.findIndex((t) => (t.subtasks?.length ?? 0) > 1);
    const cases: Array<(t: Task) => Task> = [
      (t) => ({ ...t, title: 42 as unknown as string, status: 'done', dependencies: ['x', -1] as never }),
      ({ title: _dropped, ...t }) => t as Task,
      (t) => ({ ...t, subtasks: [t.subtasks![0]!, { ...t.subtasks![1]!, title: null as unknown as string }] }),
      (t) => ({ ...t, details: null, testStrategy: undefined, custom: { anything: [1] } }),
    ];
    for (const [n, edit] of cases.entries()) {
      const after = withTask(before, 'master', withSubtasks, edit);
      const full = catchIssues(() => validateTasksFile(after));
      expect(full.length > 0, `case ${n}`).toBe(n < 3);
      expect(catchIssues(() => validateTasksFileChange(before, after))).toEqual(full);
    }
  });

  it('checks a changed tag itself, and a new tag with the whole file', () => {
    const before = fixture();
    const badMeta = { ...before, master: { ...before.master!, metadata: { taskCount: 'many' } } } as unknown as TaggedTasksFile;
    expect(issuesOf(catchError(() => validateTasksFileChange(before, badMeta)))![0]!.path).toEqual(['master', 'metadata', 'taskCount']);
    const badTag = { ...before, '': { tasks: [] } };
    expect(catchError(() => validateTasksFileChange(before, badTag))).toBeInstanceOf(z.ZodError);
    const goodTag = { ...before, next: { tasks: [{ id: 1, title: 'first' }] } };
    expect(validateTasksFileChange(before, goodTag)).toBe(goodTag);
  });

  it('checks tasks out of place after a delete shifts them, and a task list that is no array', () => {
    const before = fixture();
    const tasks = before.master!.tasks;
    // The first task deleted: every other one moves up a place, and one of them is broken.
    const shifted = { ...before, master: { ...before.master!, tasks: [...tasks.slice(1, 20), { ...tasks[20]!, title: 7 }, ...tasks.slice(21)] } } as unknown as TaggedTasksFile;
    expect(issuesOf(catchError(() => validateTasksFileChange(before, shifted)))![0]!.path).toEqual(['master', 'tasks', 19, 'title']);
    const deleted = { ...before, master: { ...before.master!, tasks: tasks.slice(1) } };
    expect(validateTasksFileChange(before, deleted)).toBe(deleted);
    const notAList = { ...before, master: { ...before.master!, tasks: 'none' } } as unknown as TaggedTasksFile;
    const full = issuesOf(catchError(() => validateTasksFile(notAList)))!;
    expect(issuesOf(catchError(() => validateTasksFileChange(before, notAList)))![0]!.path).toEqual(['master', 'tasks']);
    expect(full[0]!.path).toEqual(['master', 'tasks']);
  });

  it('checks every updated task of a large batch, each in its place', () => {
    const before = fixture();
    const tasks = before.master!.tasks;
    // Twenty updates (new objects, same ids, same places); the fifteenth is broken.
    const updated = tasks.map((t, i) => (i < 20 ? { ...t, title: i === 14 ? 7 : `updated ${i}` } : t));
    const batch = { ...before, master: { ...before.master!, tasks: updated } } as unknown as TaggedTasksFile;
    expect(issuesOf(catchError(() => validateTasksFileChange(before, batch)))![0]!.path).toEqual(['master', 'tasks', 14, 'title']);
    const fine = { ...before, master: { ...before.master!, tasks: tasks.map((t, i) => (i < 20 ? { ...t, title: `updated ${i}` } : t)) } };
    expect(validateTasksFileChange(before, fine)).toBe(fine);
  });

  it('validates everything when the format changes or there is no earlier version', () => {
    const legacy = { tasks: [{ id: 1, title: 'x' }] };
    expect(validateTasksFileChange(fixture(), legacy)).toBe(legacy);
    expect(catchError(() => validateTasksFileChange(undefined, { tasks: [{ id: 1 }] }))).toBeInstanceOf(z.ZodError);
    const legacyBad = { ...legacy, tasks: [...legacy.tasks, { id: 2 }] };
    expect(issuesOf(catchError(() => validateTasksFileChange(legacy, legacyBad)))![0]!.path).toEqual(['tasks', 1, 'title']);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

/** The issues (path, code, message) `run` throws, or none. */
function catchIssues(run: () => unknown): Array<{ path: readonly PropertyKey[]; code: string; message: string }> {
  try {
    run();
    return [];
  } catch (err) {
    return (issuesOf(err) ?? []).map((i) => ({ path: i.path, code: (i as { code: string }).code, message: i.message }));
  }
}
