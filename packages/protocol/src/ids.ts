import type { Subtask, TagData, Task, TaskId } from './task.js';

/** The canonical string form of an id: `5`, `"5"` → `"5"`. */
export function idKey(id: TaskId): string {
  return String(id).trim();
}

/**
 * The id `value` (`"7"`) written as `like` is: a number when `like` is one
 * (and `value` is digits), else a string. Task Master writes either form, and
 * a file keeps its own: a task renumbered or added stays in the form of its
 * neighbours.
 */
export function idLike(like: TaskId | undefined, value: string): TaskId {
  return typeof like === 'number' && /^\d+$/.test(value) ? Number(value) : value;
}

/** True when two ids name the same task (`5` and `"5"` do). */
export function sameId(a: TaskId, b: TaskId): boolean {
  return idKey(a) === idKey(b);
}

/**
 * The one rule for when two dependencies name the same task: `2` and `"2"`
 * always do; inside a subtask, a bare `2` names its sibling, so it is the same
 * as `"5.2"` when the subtask's parent is `5` (Task Master writes either form).
 * `parentA`/`parentB` are the parents' ids of the subtasks holding `a` and `b`
 * (undefined for a top-level task's dependencies).
 */
export function sameDependency(a: TaskId, b: TaskId, parentA?: string, parentB?: string): boolean {
  if (a === b) return true;
  const ka = idKey(a);
  const kb = idKey(b);
  if (ka === kb) return true;
  if (parentA === undefined && parentB === undefined) return false;
  return dependencyFullId(ka, parentA) === dependencyFullId(kb, parentB);
}

/** True when two dependency lists name the same tasks in the same order (see {@link sameDependency}). */
export function sameDependencies(a: readonly TaskId[], b: readonly TaskId[], parentA?: string, parentB?: string): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameDependency(a[i]!, b[i]!, parentA, parentB)) return false;
  return true;
}

/**
 * The full id a dependency names (see {@link sameDependency}): `"2"` in a
 * subtask of `5` is `"5.2"`, its sibling; dotted ids and a task's
 * dependencies are full ids already. `parent` is the id of the subtask's
 * parent, undefined for a task's dependency.
 */
export function dependencyFullId(dep: TaskId, parent: string | undefined): string {
  const key = idKey(dep);
  return parent === undefined || key.includes('.') ? key : `${parent}.${key}`;
}

/** A parsed reference to a task (`"5"`) or a subtask (`"5.2"`). */
export interface TaskRef {
  taskId: string;
  subtaskId?: string;
}

/** Parses `5`, `"5"` or `"5.2"`; returns undefined for anything else. */
export function parseTaskRef(id: TaskId): TaskRef | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(idKey(id));
  if (!match) return undefined;
  return match[2] === undefined ? { taskId: match[1]! } : { taskId: match[1]!, subtaskId: match[2] };
}

/** What a ref points at inside a tag. */
export type FoundTask =
  | { kind: 'task'; task: Task; index: number }
  | { kind: 'subtask'; task: Subtask; parent: Task; index: number };

/** Finds a task or subtask by id (`5` or `"5.2"`) in a tag. */
export function findTask(tag: TagData, id: TaskId): FoundTask | undefined {
  const ref = parseTaskRef(id);
  if (!ref) return undefined;
  const index = tag.tasks.findIndex((t) => idKey(t.id) === ref.taskId);
  if (index < 0) return undefined;
  const task = tag.tasks[index]!;
  if (ref.subtaskId === undefined) return { kind: 'task', task, index };
  const subtasks = task.subtasks ?? [];
  const subIndex = subtasks.findIndex((s) => idKey(s.id) === ref.subtaskId);
  if (subIndex < 0) return undefined;
  return { kind: 'subtask', task: subtasks[subIndex]!, parent: task, index: subIndex };
}

/** The next free numeric id among `items` (max + 1, starting at 1). */
export function nextId(items: ReadonlyArray<{ id: TaskId }>): number {
  let max = 0;
  for (const item of items) {
    const n = Number(item.id);
    if (Number.isFinite(n) && n > max) max = n;
  }
  return Math.floor(max) + 1;
}

/**
 * Items keyed by id, with repeats told apart by occurrence (`"42"`, `"42#2"`):
 * real files hold subtasks that share an id, and none may be lost or merged.
 */
export function keyByOccurrence<T extends { id: TaskId }>(items: readonly T[]): Map<string, T> {
  const out = new Map<string, T>();
  const seen = new Map<string, number>();
  for (const item of items) {
    const id = idKey(item.id);
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    out.set(n === 1 ? id : `${id}#${n}`, item);
  }
  return out;
}
