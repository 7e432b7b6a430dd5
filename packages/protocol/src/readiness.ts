import { dependencyFullId, idKey } from './ids.js';
import { isDoneStatus, type Subtask, type Task } from './task.js';

/**
 * Whether a task can be worked on: the one rule `tasks.next`, `list --ready`,
 * the board's cards and VS Code's tree share.
 */

/**
 * Statuses that let what depends on a task go ahead: Task Master's
 * `TERMINAL_COMPLETE_STATUSES` (done, completed, cancelled), which its
 * `list --ready` uses.
 */
const FINISHED = new Set(['done', 'completed', 'cancelled']);

/** True when a task with this status no longer holds up the tasks that depend on it. */
export function isFinishedStatus(status: string | null | undefined): boolean {
  return status != null && FINISHED.has(status);
}

/** The status of every task and subtask of a tag by full id (`"5"`, `"5.2"`); a missing status reads as pending. */
export function statusesById(tasks: readonly Task[]): Map<string, string> {
  const statuses = new Map<string, string>();
  for (const task of tasks) {
    const taskId = idKey(task.id);
    // A repeated id (real files have them) keeps its first occurrence's status, as lookups by id find the first.
    if (!statuses.has(taskId)) statuses.set(taskId, task.status || 'pending');
    for (const sub of task.subtasks ?? []) {
      const subId = `${taskId}.${idKey(sub.id)}`;
      if (!statuses.has(subId)) statuses.set(subId, sub.status || 'pending');
    }
  }
  return statuses;
}

/** A dependency that holds a task up: its full id (`4`, `"5.2"`) and its status, or none when the tag has no such task. */
export interface Blocker {
  id: string;
  status: string | undefined;
}

/**
 * The dependencies holding `task` up: those not finished, or not in the tag
 * at all. A finished task is held up by nothing. In a subtask (`parentId`
 * given) a plain id names its sibling (`2` in a subtask of `5` is `5.2`), as
 * Task Master writes it.
 */
export function blockersOf(task: Pick<Task | Subtask, 'status' | 'dependencies'>, statuses: ReadonlyMap<string, string>, parentId?: string): Blocker[] {
  if (isFinishedStatus(task.status)) return [];
  const blockers: Blocker[] = [];
  for (const dependency of task.dependencies ?? []) {
    const id = dependencyFullId(dependency, parentId);
    const status = statuses.get(id);
    if (!isFinishedStatus(status)) blockers.push({ id, status });
  }
  return blockers;
}

/** Done and total subtasks of a task (`3/5`); undefined for one without subtasks (and for a subtask). */
export function subtaskProgress(task: Task | Subtask): { done: number; total: number } | undefined {
  const subtasks = Array.isArray((task as Task).subtasks) ? (task as Task).subtasks! : [];
  if (subtasks.length === 0) return undefined;
  return { done: subtasks.filter((s) => isDoneStatus(s.status || 'pending')).length, total: subtasks.length };
}
