import { current, isDraft, original } from 'immer';
import { idKey, nextId, type Task } from '@taskmaster/protocol';

/** Where each id first appears in a tag's task list, and the next free id. */
interface TaskIndex {
  length: number;
  byId: Map<string, number>;
  maxId: number;
}

/**
 * Indexes of task lists that are drafts of a transaction. Reading a draft's
 * elements goes through a proxy each time, so a batch of hundreds of ops
 * that each scanned the list for an id took quadratic time; with an index
 * each lookup is one read, checked against the list itself.
 */
const indexes = new WeakMap<readonly Task[], TaskIndex>();
/** The index built last: a lookup in a later version of the same list tries it first (its hits are checked). */
let latest: TaskIndex | undefined;

/** The position of the first task with id `key` in `tasks` (a draft or plain), or -1. */
export function taskIndexOf(tasks: readonly Task[], key: string): number {
  if (!isDraft(tasks)) return tasks.findIndex((t) => idKey(t.id) === key);
  // A new draft of a list whose tasks kept their places (what an update leaves): the index of an
  // earlier version still points at them, checked by the id found there, so no list is scanned.
  if (!indexes.has(tasks)) {
    const inherited = indexes.get(original(tasks as Task[]) as readonly Task[]) ?? latest;
    const at = inherited?.byId.get(key);
    if (at !== undefined && at < tasks.length && idKey(tasks[at]!.id) === key) return at;
  }
  const at = indexFor(tasks).byId.get(key);
  if (at !== undefined && idKey(tasks[at]!.id) === key) return at;
  // A miss, or a list rearranged by code other than the task ops: look again from scratch.
  return rebuild(tasks).byId.get(key) ?? -1;
}

/** The next free numeric id in `tasks` (max + 1), as protocol's `nextId`. */
export function nextTaskId(tasks: readonly Task[]): number {
  return isDraft(tasks) ? indexFor(tasks).maxId + 1 : nextId(tasks);
}

function indexFor(tasks: readonly Task[]): TaskIndex {
  const index = indexes.get(tasks);
  if (!index || tasks.length < index.length) return rebuild(tasks);
  // Appended since (creates push): index only the new tasks.
  for (let i = index.length; i < tasks.length; i++) add(index, tasks[i]!, i);
  index.length = tasks.length;
  return index;
}

function rebuild(tasks: readonly Task[]): TaskIndex {
  const plain = current(tasks as Task[]);
  const index: TaskIndex = { length: plain.length, byId: new Map(), maxId: 0 };
  plain.forEach((task, i) => add(index, task, i));
  indexes.set(tasks, index);
  latest = index;
  return index;
}

function add(index: TaskIndex, task: Task, at: number): void {
  const key = idKey(task.id);
  if (!index.byId.has(key)) index.byId.set(key, at);
  const n = Number(task.id);
  if (Number.isFinite(n)) index.maxId = Math.max(index.maxId, Math.floor(n));
}
