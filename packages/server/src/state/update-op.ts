import {
  ErrorCode,
  TaskmasterError,
  findTask,
  jsonEqual,
  mergeTask,
  findTag,
  type ConflictStrategy,
  type TaskId,
  type TasksFile,
} from '@taskmaster/protocol';
import { detached, taskOps } from '@taskmaster/store';
import type { ConflictRegistry } from './conflicts.js';

type Fields = Record<string, unknown>;

export interface UpdateRequest {
  tag: string;
  id: TaskId;
  changes: Fields;
  strategy: ConflictStrategy;
  base?: Fields | undefined;
}

/**
 * Applies a `task.update` under its conflict strategy, inside a transaction
 * (so "theirs" is the file as it is now, under the lock). Throws 1006 with
 * base/mine/theirs when the strategy refuses, and registers the conflict.
 */
export function applyUpdate(data: TasksFile, req: UpdateRequest, conflicts: ConflictRegistry) {
  if (req.strategy === 'last-write-wins') return taskOps.updateTask(data, req.tag, req.id, req.changes);
  // A copy: it may leave the transaction inside a conflict.
  const theirs = detached(currentTask(data, req.tag, req.id));
  // Not found: let the store report it the way it reports every missing task.
  if (!theirs || !req.base) return taskOps.updateTask(data, req.tag, req.id, req.changes);
  const base = req.base;
  const mine = { ...base, ...req.changes };
  if (req.strategy === 'manual') {
    if (!jsonEqual(base, theirs)) throw conflictError(req, base, mine, theirs, conflictFields(base, mine, theirs), conflicts);
    return taskOps.updateTask(data, req.tag, req.id, req.changes);
  }
  const { merged, conflicts: fields } = mergeTask<Fields>(base, mine, theirs);
  if (fields.length > 0) throw conflictError(req, base, mine, theirs, fields, conflicts);
  return writeVersion(data, req.tag, req.id, merged);
}

/** Writes `version` over the task with last-write-wins semantics: only fields that differ are patched. */
export function writeVersion(data: TasksFile, tag: string, id: TaskId, version: Fields) {
  const current = currentTask(data, tag, id);
  const patch: Fields = {};
  if (current) {
    for (const [key, value] of Object.entries(version)) {
      if (key !== 'id' && !jsonEqual(value, current[key])) patch[key] = value;
    }
  } else {
    Object.assign(patch, version);
    delete patch.id;
  }
  return taskOps.updateTask(data, tag, id, patch);
}

/** The task or subtask `id` in `tag`, or undefined. */
export function currentTask(data: TasksFile, tag: string, id: TaskId): Fields | undefined {
  const tagData = findTag(data, tag);
  if (!tagData) return undefined;
  return findTask(tagData, id)?.task as Fields | undefined;
}

function conflictFields(base: Fields, mine: Fields, theirs: Fields): string[] {
  const merged = mergeTask<Fields>(base, mine, theirs).conflicts;
  if (merged.length > 0) return merged;
  const keys = new Set([...Object.keys(base), ...Object.keys(theirs)]);
  return [...keys].filter((k) => !jsonEqual(base[k], theirs[k]));
}

function conflictError(
  req: UpdateRequest,
  base: Fields,
  mine: Fields,
  theirs: Fields,
  fields: string[],
  conflicts: ConflictRegistry,
): TaskmasterError {
  const id = String(req.id);
  const c = conflicts.add({ tag: req.tag, id, base, mine, theirs, fields });
  const data = { conflictId: c.conflictId, tag: c.tag, id, base, mine, theirs, fields };
  return new TaskmasterError(
    ErrorCode.SyncConflict,
    `task ${id} in tag "${req.tag}" was changed by someone else (${fields.join(', ')}); settle it with conflict.resolve {conflictId, choice: "mine" | "theirs" | "merged"}`,
    data,
  );
}
