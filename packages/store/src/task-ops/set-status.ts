import { StatusSchema, type TagData, type Task, type TaskId, type TasksFile } from '@taskmaster/protocol';
import { fullIdOf, parseOrThrow, readView, requireTag, requireTask, touchTag } from './lookup.js';

/** What a status change returns: each task with its old and new status. */
export interface StatusChange {
  tag: string;
  tasks: { id: string; from?: string; to: string }[];
}

/**
 * Sets the status of several tasks or subtasks at once, as Task Master
 * 0.43.1's CLI `set-status` does (tm-core's file storage), one id after the
 * other in the order given:
 * - a task: its `status`, and `updatedAt` set to `now`; its subtasks are left
 *   as they are (`done` on a parent does not finish them);
 * - a subtask: its `status` and `updatedAt`, then its parent follows its
 *   subtasks: all done (`done`/`completed`) → `done`; else any in progress or
 *   done → `in-progress`; else all pending → `pending`; else unchanged. The
 *   parent's `updatedAt` is set either way;
 * - an id already in that status (a subtask without one counts as `pending`)
 *   is left untouched, parent included.
 * The tag's metadata is kept (Task Master replaces it with tm-core's, losing
 * `created` and `description`): its modification time is refreshed, and the
 * counts tm-core keeps (`taskCount`, `completedCount`) when it has them.
 *
 * Unlike Task Master, which writes the ids before a failing one, every id is
 * found and the status checked before any is changed: all or nothing.
 */
export function setStatus(data: TasksFile, tag: string, ids: TaskId[], status: string, now: string = new Date().toISOString()): StatusChange {
  parseOrThrow(StatusSchema, status, 'status: ');
  const tagData = requireTag(data, tag);
  const targets = new Map(ids.map((id) => {
    const found = requireTask(tagData, tag, id);
    return [fullIdOf(found), found] as const;
  }));
  const tasks: StatusChange['tasks'] = [];
  let touched = false;
  for (const [id, found] of targets) {
    const from = found.task.status;
    tasks.push(from === undefined ? { id, to: status } : { id, from, to: status });
    if (found.kind === 'task') {
      if (from === status) continue;
      found.task.status = status;
      found.task.updatedAt = now;
    } else {
      if ((from ?? 'pending') === status) continue;
      found.task.status = status;
      found.task.updatedAt = now;
      followSubtasks(found.parent, now);
    }
    touched = true;
  }
  if (touched) refreshTagMetadata(tagData, now);
  return { tag, tasks };
}

/** Task Master's roll-up of a parent's status from its subtasks' (tm-core `updateSubtaskStatusInFile`). */
function followSubtasks(parent: Task, now: string): void {
  const statuses = (parent.subtasks ?? []).map((s) => s.status ?? 'pending');
  if (statuses.length > 0) {
    const isDone = (s: string) => s === 'done' || s === 'completed';
    let next = parent.status;
    if (statuses.every(isDone)) next = 'done';
    else if (statuses.some((s) => s === 'in-progress' || isDone(s))) next = 'in-progress';
    else if (statuses.every((s) => s === 'pending')) next = 'pending';
    if (next !== parent.status) parent.status = next;
  }
  parent.updatedAt = now;
}

/** `updated` (or `lastModified`) to now, and tm-core's counts when the metadata keeps them. */
function refreshTagMetadata(tagData: TagData, now: string): void {
  touchTag(tagData, now);
  const meta = tagData.metadata;
  if (!meta) return;
  if (typeof meta.taskCount === 'number') meta.taskCount = tagData.tasks.length;
  // tm-core counts `done` only.
  if (typeof meta.completedCount === 'number') meta.completedCount = readView(tagData.tasks).filter((t) => t.status === 'done').length;
}
