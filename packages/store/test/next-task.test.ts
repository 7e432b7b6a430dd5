import { afterEach, describe, expect, it } from 'vitest';
import { idKey, type Task, type TaskId, type TasksFile } from '@taskmaster/protocol';
import { callDirect, openStore, readOps, type OpContext } from '../src/index.js';
import { cleanup, FIXTURE_TEXT, fixtureProject } from './helpers.js';

afterEach(cleanup);

/*
 * What Task Master 0.43.1 picks was observed by running `task-master next
 * --format json` (and `list --ready --format json`) on the same files; each
 * test says where we differ and why.
 */

const ctx = (tag = 'master'): OpContext => ({ tag, currentTag: 'master', now: '2026-02-03T04:05:06.000Z', conflictStrategy: 'last-write-wins' });
const nextTask = readOps['tasks.next'];
const listTasks = readOps['tasks.list'];

const task = (id: TaskId, status: string, priority: string, dependencies: TaskId[] = [], subtasks: object[] = []) => ({
  id, title: `t${id}`, description: `d${id}`, status, dependencies, priority, details: '', testStrategy: '', subtasks,
});
const sub = (id: TaskId, status: string, dependencies: TaskId[] = [], extra: object = {}) => ({ id, title: `s${id}`, description: 'd', details: '', status, dependencies, ...extra });
const fileOf = (tasks: object[]): TasksFile => ({ master: { tasks: tasks as Task[] } });
const nextId = (file: TasksFile, tag = 'master') => nextTask(file, undefined, ctx(tag)).next?.id ?? null;

/** The oracle's basic file (tests/oracle/src/files.ts): 2 in progress with 2.1 done, 2.2 ← 2.1, 2.3 ← 2.2. */
function basicFile(): TasksFile {
  return fileOf([
    task(1, 'done', 'high', [], [sub(1, 'done'), sub(2, 'done', [1])]),
    task(2, 'in-progress', 'high', [1], [sub(1, 'done'), sub(2, 'pending', [1]), sub(3, 'pending', [2])]),
    task(3, 'pending', 'medium', [2], [sub(1, 'pending'), sub(2, 'pending', [1, '2.3'])]),
    task(4, 'pending', 'high', [1]),
    task(5, 'pending', 'low', [3, 4]),
    task(6, 'deferred', 'medium'),
  ]);
}

describe('tasks.next', () => {
  it('picks a ready subtask of an in-progress task first, with its parent (observed: 2.2)', () => {
    const file = basicFile();
    const { tag, next } = nextTask(file, undefined, ctx());
    expect(tag).toBe('master');
    expect(next).toEqual({ id: '2.2', parentId: '2', task: sub(2, 'pending', [1]) });
  });

  it('offers a top-level task once no in-progress task has a ready subtask', () => {
    const file = basicFile() as any;
    file.master.tasks[1].subtasks[1].status = 'done'; // 2.2 done, so 2.3 is ready
    expect(nextId(file)).toBe('2.3');
    file.master.tasks[1].subtasks[2].status = 'done';
    // The in-progress task itself is a candidate: 2 and 4 are both high with one done dependency; 2 is lower.
    expect(nextId(file)).toBe('2');
    file.master.tasks[1].status = 'done';
    // 4 (high) beats 3 (medium, whose dependency 2 is now done).
    expect(nextId(file)).toBe('4');
    expect(nextTask(file, undefined, ctx()).next).toEqual({ id: '4', task: file.master.tasks[3] });
  });

  it('ranks by priority, then fewest dependencies, then lowest id', () => {
    const base = [task(1, 'done', 'medium'), task(2, 'done', 'medium')];
    expect(nextId(fileOf([...base, task(3, 'pending', 'medium'), task(4, 'pending', 'critical', [1, 2]), task(5, 'pending', 'high')]))).toBe('4');
    expect(nextId(fileOf([...base, task(3, 'pending', 'high', [1, 2]), task(4, 'pending', 'high', [1]), task(5, 'pending', 'high', [2])]))).toBe('4');
    expect(nextId(fileOf([...base, task(10, 'pending', 'low'), task(9, 'in-progress', 'low'), task(11, 'pending', 'low')]))).toBe('9');
    // A priority Task Master does not know counts as medium.
    expect(nextId(fileOf([task(3, 'pending', 'urgent'), task(1, 'pending', 'medium')]))).toBe('1');
    expect(nextId(fileOf([task(3, 'pending', 'urgent'), task(1, 'pending', 'low')]))).toBe('3');
  });

  it('ranks subtasks by their priority or their parent`s, then dependencies, then parent and subtask id', () => {
    const file = fileOf([
      task(1, 'done', 'medium', [], [sub(1, 'done')]),
      task(2, 'in-progress', 'low', [], [sub(1, 'pending'), sub(2, 'pending', [], { priority: 'high' }), sub(3, 'pending', ['1.1'], { priority: 'high' })]),
      task(3, 'in-progress', 'medium', [], [sub(5, 'pending'), sub(4, 'in-progress', ['1.1'])]),
      task(4, 'pending', 'critical'),
    ]);
    // A critical top-level task waits while in-progress tasks have ready subtasks.
    expect(nextId(file)).toBe('2.2');
    (file as any).master.tasks[1].subtasks[1].status = 'done';
    expect(nextId(file)).toBe('2.3');
    (file as any).master.tasks[1].subtasks[2].status = 'done';
    // 3.5 and 3.4 take 3's medium, above 2.1's low (its parent's); 3.5 has no dependencies.
    expect(nextId(file)).toBe('3.5');
    (file as any).master.tasks[2].subtasks[0].status = 'review';
    expect(nextId(file)).toBe('3.4');
  });

  it('waits for every dependency: a plain id in a subtask is its sibling, "1.2" any subtask', () => {
    const file = fileOf([
      task(1, 'pending', 'medium', [], [sub(1, 'done'), sub(2, 'pending')]),
      task(2, 'in-progress', 'medium', [], [sub(1, 'pending', ['1.2']), sub(2, 'pending', [3]), sub(3, 'done')]),
      task(3, 'pending', 'high', ['1.1']),
    ]) as any;
    // 2.2 depends on its sibling 2.3 (done), not on task 3.
    expect(nextId(file)).toBe('2.2');
    file.master.tasks[1].subtasks[1].status = 'done';
    // 2.1 waits for 1.2; subtasks of 1 (pending, not in progress) are not offered: task 3 (high, on done 1.1).
    expect(nextId(file)).toBe('3');
    file.master.tasks[2].dependencies = ['1.2'];
    expect(nextId(file)).toBe('1');
    file.master.tasks[0].subtasks[1].status = 'done';
    expect(nextId(file)).toBe('2.1');
  });

  it('counts a cancelled or completed dependency as finished, where Task Master`s next waits for "done"', () => {
    // Observed on this file: Task Master's `next` says 4 — 2 waits for the cancelled 1 forever, although its
    // own `list --ready` lists 2 as ready (tm-core counts done, completed and cancelled as finished). Ours
    // uses that one rule for both, so 2 (medium) comes before 4 (low).
    const file = fileOf([
      task(1, 'cancelled', 'medium'),
      task(2, 'pending', 'medium', [1]),
      task(3, 'done', 'medium', [], [sub(1, 'done')]),
      task(4, 'pending', 'low', ['3.1']),
      task(5, 'review', 'low'),
      task(6, 'deferred', 'high'),
    ]);
    expect(nextId(file)).toBe('2');
    (file as any).master.tasks[0].status = 'completed';
    expect(nextId(file)).toBe('2');
    (file as any).master.tasks[0].status = 'pending';
    expect(nextId(file)).toBe('1');
  });

  it('never offers tasks that are done, in review, deferred, blocked or cancelled; null when nothing is ready', () => {
    const statuses = ['done', 'review', 'deferred', 'blocked', 'cancelled', 'completed'];
    const file = fileOf(statuses.map((s, i) => task(i + 1, s, 'high')));
    expect(nextTask(file, undefined, ctx())).toEqual({ tag: 'master', next: null });
    expect(nextTask(fileOf([]), undefined, ctx())).toEqual({ tag: 'master', next: null });
    expect(nextId(fileOf([task(1, 'pending', 'high', [2]), task(2, 'pending', 'high', [1])]))).toBeNull();
    expect(() => nextTask(file, undefined, ctx('nope'))).toThrow(expect.objectContaining({ code: 1008 }));
  });

  it('picks what Task Master picks in every tag of the real file, by its rule', () => {
    const data = JSON.parse(FIXTURE_TEXT) as Record<string, { tasks: Task[] }>;
    // Observed with `task-master next --tag <tag> --format json` on this file.
    const observed: Record<string, string | null> = {
      master: '67',
      'test-tag': null,
      'cc-kiro-hooks': '1',
      'tm-core-phase-1': '120',
      'tm-start': '8',
      'autonomous-tdd-git-workflow': '31',
      'tdd-workflow-phase-0': null,
      'tdd-phase-1-core-rails': null,
      loop: '11.3',
    };
    expect(Object.keys(data).sort()).toEqual(Object.keys(observed).sort());
    for (const [tag, id] of Object.entries(observed)) {
      const { next } = nextTask(data as TasksFile, { tag }, ctx(tag));
      expect(next?.id ?? null, tag).toBe(id);
      expect(next === null ? [] : problemsWithChoice(data[tag]!.tasks, next.id), tag).toEqual([]);
    }
  });

  it('answers through a store on the real file, for the current tag', async () => {
    const store = await openStore(fixtureProject().root);
    const { tag, next } = await callDirect(store, 'tasks.next', undefined);
    expect(tag).toBe('master');
    expect(next).toMatchObject({ id: '67', task: { id: 67, status: 'pending', priority: 'high' } });
    expect(next).not.toHaveProperty('parentId');
    expect((await callDirect(store, 'tasks.next', { tag: 'loop' })).next).toMatchObject({ id: '11.3', parentId: '11' });
  });
});

describe('tasks.list ready', () => {
  const readyIds = (file: TasksFile) => listTasks(file, { ready: true }, ctx()).tasks.map((t) => idKey(t.id));

  it('lists tasks one can work on (pending, in progress, review) whose dependencies are all finished', () => {
    // Observed: Task Master's `list --ready` on the oracle's basic file: 2 and 4.
    expect(readyIds(basicFile())).toEqual(['2', '4']);
  });

  it('counts cancelled dependencies as finished as Task Master does, and finished subtasks, which it never does', () => {
    const file = fileOf([
      task(1, 'cancelled', 'medium'),
      task(2, 'pending', 'medium', [1]),
      task(3, 'done', 'medium', [], [sub(1, 'done'), sub(2, 'pending')]),
      task(4, 'pending', 'low', ['3.1']),
      task(5, 'review', 'low'),
      task(6, 'deferred', 'high'),
      task(7, 'blocked', 'high'),
      task(8, 'pending', 'low', ['3.2']),
      task(9, 'pending', 'low', [42]),
    ]);
    // Observed on tasks 1–6: Task Master lists 2 and 5. It leaves out 4, whose only dependency (subtask 3.1)
    // is done: it looks "3.1" up among top-level ids only, so such a task is never ready. Ours lists it.
    expect(readyIds(file)).toEqual(['2', '4', '5']);
    // With a status filter too: the filter applies to what is listed, not to what dependencies count.
    expect(listTasks(file, { ready: true, status: 'pending' }, ctx()).tasks.map((t) => idKey(t.id))).toEqual(['2', '4']);
  });
});

/**
 * What is wrong with `chosen` as Task Master's next task of `tasks`, by its rule (empty when
 * nothing): finished = done, completed or cancelled; subtasks of in-progress tasks first;
 * then priority, fewest dependencies, lowest id.
 */
function problemsWithChoice(tasks: Task[], chosen: string): string[] {
  const finished = new Set<string>();
  for (const t of tasks) {
    if (['done', 'completed', 'cancelled'].includes(t.status ?? '')) finished.add(idKey(t.id));
    for (const s of t.subtasks ?? []) if (['done', 'completed', 'cancelled'].includes(s.status ?? '')) finished.add(`${idKey(t.id)}.${idKey(s.id)}`);
  }
  const rank = (p?: string) => ({ critical: 4, high: 3, medium: 2, low: 1 })[p ?? 'medium'] ?? 2;
  type C = { id: string; rank: number; deps: number; order: number[] };
  const subs: C[] = [];
  for (const t of tasks.filter((x) => x.status === 'in-progress')) {
    for (const s of t.subtasks ?? []) {
      const deps = (s.dependencies ?? []).map((d) => (String(d).includes('.') ? String(d) : `${t.id}.${d}`));
      if (['pending', 'in-progress'].includes(s.status ?? 'pending') && deps.every((d) => finished.has(d))) {
        subs.push({ id: `${t.id}.${s.id}`, rank: rank((s as { priority?: string }).priority || t.priority), deps: deps.length, order: [Number(t.id), Number(s.id)] });
      }
    }
  }
  const tops: C[] = tasks
    .filter((t) => ['pending', 'in-progress'].includes(t.status ?? 'pending') && (t.dependencies ?? []).every((d) => finished.has(idKey(d))))
    .map((t) => ({ id: idKey(t.id), rank: rank(t.priority), deps: (t.dependencies ?? []).length, order: [Number(t.id)] }));
  const pool = subs.length > 0 ? subs : tops;
  const me = pool.find((c) => c.id === chosen);
  if (!me) return [`${chosen} is not among the ready ${subs.length > 0 ? 'subtasks of in-progress tasks' : 'tasks'}`];
  const better = (c: C) =>
    c.rank > me.rank || (c.rank === me.rank && (c.deps < me.deps || (c.deps === me.deps && (c.order[0]! < me.order[0]! || (c.order[0] === me.order[0] && (c.order[1] ?? 0) < (me.order[1] ?? 0))))));
  return pool.filter(better).map((c) => `${c.id} ranks before ${chosen}`);
}
