import { jsonEqual } from './equal.js';
import type { TaskChange } from './events.js';
import { idKey, keyByOccurrence } from './ids.js';
import { findTag, tagsOf, type Subtask, type Task, type TasksFile } from './task.js';

/**
 * The task events that turn `before` into `after`, tag by tag, subtasks
 * included. A subtask change is reported as the subtask's own event
 * (id `"5.2"`, `parentId: "5"`), not as an update of its parent.
 */
export function diffTasksFiles(before: TasksFile | undefined, after: TasksFile): TaskChange[] {
  if (before === after) return [];
  const changes: TaskChange[] = [];
  const tags = new Set([...(before ? Object.keys(tagsOf(before)) : []), ...Object.keys(tagsOf(after))]);
  for (const tag of tags) {
    diffTaskLists(tag, (before ? findTag(before, tag)?.tasks : undefined) ?? [], findTag(after, tag)?.tasks ?? [], undefined, changes);
  }
  return changes;
}

/** The top-level fields whose values differ between two versions of a task. */
export function changedFields(before: object, after: object, ignore: readonly string[] = []): string[] {
  const x = before as Record<string, unknown>;
  const y = after as Record<string, unknown>;
  // Runs for every task on every commit: plain loops, no intermediate arrays.
  const out: string[] = [];
  for (const k of Object.keys(x)) if (!ignore.includes(k) && !jsonEqual(x[k], y[k])) out.push(k);
  for (const k of Object.keys(y)) {
    if (y[k] !== undefined && !Object.prototype.hasOwnProperty.call(x, k) && !ignore.includes(k)) out.push(k);
  }
  return out;
}

function diffTaskLists(
  tag: string,
  before: ReadonlyArray<Task | Subtask>,
  after: ReadonlyArray<Task | Subtask>,
  parentId: string | undefined,
  out: TaskChange[],
): void {
  const fullId = (t: Task | Subtask) => (parentId ? `${parentId}.${idKey(t.id)}` : idKey(t.id));
  // Versions that share unchanged tasks (copy-on-write) are compared by identity first.
  if (before === after) return;
  const where = parentId ? { tag, parentId } : { tag };
  if (sameIdsInOrder(before, after)) {
    for (let i = 0; i < after.length; i++) {
      if (before[i] !== after[i]) diffTask(tag, before[i]!, after[i]!, fullId(after[i]!), where, parentId, out);
    }
    return;
  }
  const old = keyByOccurrence(before);
  const seen = new Set<string>();
  for (const [key, task] of keyByOccurrence(after)) {
    seen.add(key);
    const prev = old.get(key);
    const id = fullId(task);
    if (!prev) out.push({ event: 'task.created', payload: { ...where, id, task } });
    else if (prev !== task) diffTask(tag, prev, task, id, where, parentId, out);
  }
  for (const [key, prev] of old) {
    if (!seen.has(key)) out.push({ event: 'task.deleted', payload: { ...where, id: fullId(prev) } });
  }
}

/** The events of one task (and its subtasks) that exists in both versions. */
function diffTask(
  tag: string,
  prev: Task | Subtask,
  task: Task | Subtask,
  id: string,
  where: { tag: string; parentId?: string },
  parentId: string | undefined,
  out: TaskChange[],
): void {
  // Subtasks are diffed on their own, so a parent is "updated" only by its own fields.
  const changed = changedFields(prev, task, parentId ? [] : ['subtasks']);
  if (changed.length > 0) {
    out.push({ event: 'task.updated', payload: { ...where, id, task, changed } });
    if (changed.includes('status') && task.status !== undefined) {
      out.push({ event: 'task.status.changed', payload: { ...where, id, from: prev.status, to: task.status } });
    }
  }
  if (!parentId) diffTaskLists(tag, (prev as Task).subtasks ?? [], (task as Task).subtasks ?? [], id, out);
}

/** True when both lists hold the same ids in the same order: then items pair up by index. */
function sameIdsInOrder(a: ReadonlyArray<Task | Subtask>, b: ReadonlyArray<Task | Subtask>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && x.id !== y.id && idKey(x.id) !== idKey(y.id)) return false;
  }
  return true;
}
