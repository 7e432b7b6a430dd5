import { idKey, isDoneStatus, type Subtask, type Task } from '@taskmaster/protocol';
import { statusOf, type TaskNode } from './taskNodes.js';

/**
 * What the tree tells about a task beyond its own fields: how far its
 * subtasks are, and which unfinished dependencies hold it up. Pure: no vscode
 * import. The readiness rule is the one `tasks.next` and `list --ready` use.
 */

/**
 * Statuses that let what depends on a task go ahead: Task Master's
 * `TERMINAL_COMPLETE_STATUSES` (done, completed, cancelled), as its
 * `list --ready` and our `tasks.next` count them.
 */
const FINISHED_STATUSES = new Set(['done', 'completed', 'cancelled']);

/** True when a task with this status no longer holds up the tasks that depend on it. */
export function isFinishedStatus(status: string): boolean {
  return FINISHED_STATUSES.has(status);
}

/** Done and total subtasks of a task (`3/5`). */
export interface SubtaskProgress {
  done: number;
  total: number;
}

/** The progress of a task's subtasks; undefined for a task without any (and for subtasks). */
export function subtaskProgress(task: Task | Subtask): SubtaskProgress | undefined {
  const subtasks = Array.isArray((task as Task).subtasks) ? (task as Task).subtasks! : [];
  if (subtasks.length === 0) return undefined;
  return { done: subtasks.filter((s) => isDoneStatus(statusOf(s))).length, total: subtasks.length };
}

/** A dependency that is not finished: its full id (`4`, `"5.2"`) and its status, or none when the tag has no such task. */
export interface Blocker {
  id: string;
  status: string | undefined;
}

/** What a task row shows beyond the task's own fields. */
export interface TaskFacts {
  /** Done/total subtasks, for tasks that have subtasks. */
  progress?: SubtaskProgress;
  /** Unfinished dependencies; empty when the task is ready (or finished). */
  blockers: Blocker[];
}

/** The status of every task and subtask of a tag, by full id (`"5"`, `"5.2"`). */
export function statusesById(tasks: readonly Task[]): Map<string, string> {
  const statuses = new Map<string, string>();
  for (const task of tasks) {
    const taskId = idKey(task.id);
    // A repeated id (real files have them) keeps its first occurrence's status, as lookups by id find the first.
    if (!statuses.has(taskId)) statuses.set(taskId, statusOf(task));
    for (const sub of task.subtasks ?? []) {
      const subId = `${taskId}.${idKey(sub.id)}`;
      if (!statuses.has(subId)) statuses.set(subId, statusOf(sub));
    }
  }
  return statuses;
}

/**
 * The dependencies holding `node` up: those not finished, or not in the tag at
 * all. A finished task is held up by nothing. Inside a subtask a plain id
 * names its sibling (`2` in a subtask of `5` is `5.2`), as Task Master writes it.
 */
export function blockersOf(node: Pick<TaskNode, 'task' | 'status' | 'parentId'>, statuses: ReadonlyMap<string, string>): Blocker[] {
  if (isFinishedStatus(node.status)) return [];
  const blockers: Blocker[] = [];
  for (const dependency of node.task.dependencies ?? []) {
    const key = idKey(dependency);
    const id = node.parentId !== undefined && !key.includes('.') ? `${node.parentId}.${key}` : key;
    const status = statuses.get(id);
    if (status === undefined || !isFinishedStatus(status)) blockers.push({ id, status });
  }
  return blockers;
}

/** `4 (pending), 7 (not in this tag)`: blockers as a person reads them. */
export function describeBlockers(blockers: readonly Blocker[]): string {
  return blockers.map((b) => `${b.id} (${b.status ?? 'not in this tag'})`).join(', ');
}
