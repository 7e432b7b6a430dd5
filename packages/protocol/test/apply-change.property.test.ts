import { describe, expect, it } from 'vitest';
import {
  applyTaskChange,
  diffTasksFiles,
  expandTaskPatch,
  taskPatchOf,
  idKey,
  keyByOccurrence,
  tagsOf,
  validateTasksFile,
  type Subtask,
  type TaggedTasksFile,
  type Task,
  type TaskChange,
  type TaskId,
  type TasksFile,
} from '../src/index.js';
import { readFixtureText } from './fixture.js';

/**
 * The property: applying `diffTasksFiles(a, b)` to a copy of `a`, event by
 * event in order, yields `b` up to how ids are written. Files are edited at
 * random (seeded, so a failure repeats) the ways Task Master and people edit
 * them, several edits per version, several versions per sequence.
 */

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = ReturnType<typeof prng>;
const pick = <T>(rnd: Random, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
const int = (rnd: Random, n: number) => Math.floor(rnd() * n);
const STATUSES = ['pending', 'in-progress', 'done', 'review', 'deferred'];
/** A small vocabulary, so titles repeat sometimes and move recognition meets ambiguity. */
const WORDS = ['parse', 'lint', 'ship', 'docs', 'test', 'auth', 'cache', 'sync'];

function title(rnd: Random): string {
  return rnd() < 0.3 ? pick(rnd, WORDS) : `${pick(rnd, WORDS)} ${int(rnd, 1e6)}`;
}

function newSubtask(rnd: Random, id: number): Subtask {
  return { id, title: title(rnd), description: rnd() < 0.5 ? 'sub' : `d${int(rnd, 100)}`, status: pick(rnd, STATUSES), dependencies: [] };
}

function newTask(rnd: Random, id: number): Task {
  const subtasks = Array.from({ length: int(rnd, 3) }, (_, i) => newSubtask(rnd, i + 1));
  return { id, title: title(rnd), description: `t${int(rnd, 100)}`, status: pick(rnd, STATUSES), priority: 'medium', dependencies: [], subtasks };
}

function smallFile(rnd: Random): TaggedTasksFile {
  const file: TaggedTasksFile = {};
  for (const tag of ['master', 'feature'].slice(0, 1 + int(rnd, 2))) {
    file[tag] = { tasks: Array.from({ length: int(rnd, 6) }, (_, i) => newTask(rnd, i + 1)) };
  }
  return file;
}

const maxId = (items: ReadonlyArray<{ id: TaskId }>) => items.reduce((m, t) => Math.max(m, Number(t.id) || 0), 0);
const hasRepeatedIds = (items: ReadonlyArray<{ id: TaskId }>) => keyByOccurrence(items).size !== items.length;
const flipId = (id: TaskId): TaskId => (typeof id === 'number' ? String(id) : /^\d+$/.test(id) ? Number(id) : id);

/** One random edit of `file`, in place. Subtask lists whose ids repeat are left alone (ids cannot address them). */
function edit(rnd: Random, file: TaggedTasksFile): void {
  const tags = Object.keys(file);
  const tasks = file[pick(rnd, tags)]!.tasks;
  const editable = tasks.filter((t) => !hasRepeatedIds(t.subtasks ?? []));
  const task = editable.length > 0 ? pick(rnd, editable) : undefined;
  const subtasks = task?.subtasks ?? [];
  switch (int(rnd, 14)) {
    case 0: // a field of a task or subtask
      if (task) {
        const item = subtasks.length > 0 && rnd() < 0.5 ? pick(rnd, subtasks) : task;
        item[pick(rnd, ['title', 'description', 'details'])] = title(rnd);
      }
      break;
    case 1: // a status
      if (task) (subtasks.length > 0 && rnd() < 0.5 ? pick(rnd, subtasks) : task).status = pick(rnd, STATUSES);
      break;
    case 2: // a new task, at the end or anywhere
      tasks.splice(rnd() < 0.6 ? tasks.length : int(rnd, tasks.length + 1), 0, newTask(rnd, maxId(tasks) + 1));
      break;
    case 3: // a task removed
      if (task) tasks.splice(tasks.indexOf(task), 1);
      break;
    case 4: // a new subtask
      if (task) (task.subtasks ??= []).splice(rnd() < 0.6 ? subtasks.length : int(rnd, subtasks.length + 1), 0, newSubtask(rnd, maxId(subtasks) + 1));
      break;
    case 5: // a subtask removed
      if (subtasks.length > 0) subtasks.splice(int(rnd, subtasks.length), 1);
      break;
    case 6: // a task moved within its list
      if (task) tasks.splice(int(rnd, tasks.length), 0, ...tasks.splice(tasks.indexOf(task), 1));
      break;
    case 7: // subtasks shuffled
      subtasks.sort(() => rnd() - 0.5);
      break;
    case 8: { // a subtask moved to another parent, renumbered there, sometimes edited on the way
      const target = pick(rnd, editable);
      if (!task || subtasks.length === 0 || target === task) break;
      const [moved] = subtasks.splice(int(rnd, subtasks.length), 1);
      if (rnd() < 0.3) moved!.status = pick(rnd, STATUSES);
      const list = (target.subtasks ??= []);
      list.splice(int(rnd, list.length + 1), 0, { ...moved!, id: maxId(list) + 1 });
      break;
    }
    case 9: { // a subtask promoted to a task, or a task without subtasks demoted to a subtask
      if (task && subtasks.length > 0 && rnd() < 0.5) {
        const [moved] = subtasks.splice(int(rnd, subtasks.length), 1);
        tasks.splice(int(rnd, tasks.length + 1), 0, { ...moved!, id: maxId(tasks) + 1 });
      } else {
        const lone = tasks.find((t) => !t.subtasks?.length);
        const target = editable.find((t) => t !== lone);
        if (!lone || !target) break;
        tasks.splice(tasks.indexOf(lone), 1);
        const { subtasks: _none, priority: _p, ...fields } = lone;
        (target.subtasks ??= []).push({ ...fields, id: maxId(target.subtasks) + 1 });
      }
      break;
    }
    case 10: { // Task Master's write: ids and dependencies flipped, sometimes its normalizeTaskIds extras too
      const extras = rnd() < 0.5;
      for (const t of tasks) {
        t.id = flipId(t.id);
        t.dependencies = extras ? (t.dependencies ?? []).map(String) : t.dependencies?.map(flipId);
        for (const s of t.subtasks ?? []) {
          s.id = flipId(s.id);
          if (extras) s.parentId = String(s.parentId);
          s.dependencies = s.dependencies?.map((d) => (rnd() < 0.5 ? flipId(d) : String(d).includes('.') ? d : `${idKey(t.id)}.${d}`));
        }
      }
      break;
    }
    case 11: // a dependency added
      if (task && tasks.length > 1) (task.dependencies ??= []).push(pick(rnd, tasks).id);
      break;
    case 13: // a field dropped from a task or subtask
      if (task) delete (subtasks.length > 0 && rnd() < 0.5 ? pick(rnd, subtasks) : task)[pick(rnd, ['description', 'details', 'priority'])];
      break;
    case 12: { // a new tag, sometimes one named like an Object.prototype member
      const name = pick(rnd, ['__proto__', 'constructor', 'next', `t${int(rnd, 100)}`]);
      if (!Object.prototype.hasOwnProperty.call(file, name)) {
        Object.defineProperty(file, name, { value: { tasks: [newTask(rnd, 1)] }, enumerable: true, writable: true, configurable: true });
      }
      break;
    }
  }
}

/**
 * Ids and dependencies in one form (`"5"`, `"5.2"` for a sibling), absent
 * subtasks and dependencies as [], a subtask's `parentId` `"undefined"` as
 * absent (see sameTaskFieldValue). Tags are compared by their tasks: metadata and a tag with
 * no tasks are not told by task events.
 */
function normalised(file: TasksFile): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [tag, data] of Object.entries(tagsOf(file))) {
    if (data.tasks.length === 0) continue;
    const tasks = data.tasks.map((task) => ({
      ...task,
      id: idKey(task.id),
      dependencies: (task.dependencies ?? []).map(idKey),
      subtasks: (task.subtasks ?? []).map((sub) => ({
        ...sub,
        id: idKey(sub.id),
        dependencies: (sub.dependencies ?? []).map((d) => (idKey(d).includes('.') ? idKey(d) : `${idKey(task.id)}.${idKey(d)}`)),
        parentId: sub.parentId === undefined || sub.parentId === 'undefined' ? undefined : idKey(sub.parentId as TaskId),
      })),
    }));
    Object.defineProperty(out, tag, { value: tasks, enumerable: true });
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** Runs `versions` random versions from `start`, checking the property at each. Returns the number of events seen. */
function checkSequence(rnd: Random, start: TaggedTasksFile, versions: number, editsPerVersion: number, freeze: boolean): TaskChange[] {
  const seen: TaskChange[] = [];
  let a = start;
  for (let v = 0; v < versions; v++) {
    const b = structuredClone(a);
    for (let e = 1 + int(rnd, editsPerVersion); e > 0; e--) edit(rnd, b);
    // Payloads are the new file's objects: applying must neither change nor keep them.
    if (freeze) deepFreeze(b);
    const changes = diffTasksFiles(a, b);
    const replica = structuredClone(a);
    for (const change of changes) applyTaskChange(replica, change);
    expect(normalised(replica)).toEqual(normalised(b));
    // The same, with each task.updated sent as task.patched and expanded against the replica's own item.
    const patched = structuredClone(a);
    for (const change of changes) {
      if (change.event !== 'task.updated') {
        applyTaskChange(patched, change);
        continue;
      }
      const expanded = expandTaskPatch(patched, { ...taskPatchOf({ ...change.payload, revision: v }) });
      expect(expanded, `${change.payload.tag} ${change.payload.id}`).toBeDefined();
      applyTaskChange(patched, { event: 'task.updated', payload: expanded! });
    }
    expect(normalised(patched)).toEqual(normalised(b));
    seen.push(...changes);
    a = b;
  }
  return seen;
}

describe('applyTaskChange is the inverse of diffTasksFiles', () => {
  it('on 400 random edit sequences of small files', () => {
    const events = new Map<string, number>();
    for (let seed = 1; seed <= 400; seed++) {
      const rnd = prng(seed);
      for (const change of checkSequence(rnd, smallFile(rnd), 4, 3, true)) events.set(change.event, (events.get(change.event) ?? 0) + 1);
    }
    // The sequences exercise every kind of event, moves included.
    expect([...events.keys()].sort()).toEqual(['task.created', 'task.deleted', 'task.moved', 'task.status.changed', 'task.updated']);
  });

  it('on random edit sequences of the real fixture (its repeated subtask ids included)', () => {
    const start = validateTasksFile(JSON.parse(readFixtureText())) as TaggedTasksFile;
    for (let seed = 1; seed <= 4; seed++) checkSequence(prng(1000 + seed), structuredClone(start), 3, 4, false);
  });
});
