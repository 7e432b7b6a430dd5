import { StatusSchema, type TaskId, type TasksFile } from '@taskmaster/protocol';
import { fullIdOf, parseOrThrow, requireTag, requireTask, touchTag } from './lookup.js';

/** What a status change returns: each task with its old and new status. */
export interface StatusChange {
  tag: string;
  tasks: { id: string; from?: string; to: string }[];
}

/**
 * Sets the status of several tasks or subtasks at once: every id is found
 * and the status checked before any is changed, so it is all or nothing.
 */
export function setStatus(data: TasksFile, tag: string, ids: TaskId[], status: string): StatusChange {
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
    if (from !== status) {
      found.task.status = status;
      touched = true;
    }
    tasks.push(from === undefined ? { id, to: status } : { id, from, to: status });
  }
  if (touched) touchTag(tagData, new Date().toISOString());
  return { tag, tasks };
}
