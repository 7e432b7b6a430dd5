import {
  ErrorCode,
  TaskmasterError,
  findTag,
  findTask,
  jsonEqual,
  mergeTask,
  updateChanges,
  type ConflictData,
  type TaskId,
  type TasksFile,
} from '@taskmaster/protocol';
import { detached } from '../detached.js';
import type { WriteOp } from './op-types.js';
import { updateTask } from './update-task.js';

type Fields = Record<string, unknown>;

/**
 * `task.update` under its conflict strategy (the params', else the context's).
 * Runs inside the transaction, so "theirs" is the task as the file holds it
 * now, under the lock. When the strategy refuses, throws 1006 whose data is a
 * {@link ConflictData} without `conflictId`: a server registers the conflict
 * so a client can settle it with `conflict.resolve`.
 */
export const updateWithStrategy: WriteOp<'task.update'> = (data, params, ctx) => {
  const strategy = params.strategy ?? ctx.conflictStrategy;
  const changes = updateChanges(params);
  if (strategy !== 'last-write-wins' && !params.base) {
    throw new TaskmasterError(ErrorCode.InvalidParams, `invalid params for "task.update": strategy "${strategy}" needs "base", the version of the task you edited`, {
      issues: [{ path: 'base', message: 'required for this strategy' }],
    });
  }
  const { tag } = ctx;
  if (strategy === 'last-write-wins') return updateTask(data, tag, params.id, changes);
  // A copy: it may leave the transaction inside a conflict.
  const theirs = detached(currentTask(data, tag, params.id));
  // Not found: let updateTask report it the way every missing task is reported.
  if (!theirs || !params.base) return updateTask(data, tag, params.id, changes);
  const base = params.base;
  const mine = { ...base, ...changes };
  if (strategy === 'manual') {
    if (!jsonEqual(base, theirs)) throw conflictError({ tag, id: String(params.id), base, mine, theirs, fields: conflictFields(base, mine, theirs) });
    return updateTask(data, tag, params.id, changes);
  }
  const { merged, conflicts: fields } = mergeTask<Fields>(base, mine, theirs);
  if (fields.length > 0) throw conflictError({ tag, id: String(params.id), base, mine, theirs, fields });
  return writeVersion(data, tag, params.id, merged);
};

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
  return updateTask(data, tag, id, patch);
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

function conflictError(conflict: ConflictData<Fields>): TaskmasterError {
  return new TaskmasterError(
    ErrorCode.SyncConflict,
    `task ${conflict.id} in tag "${conflict.tag}" was changed by someone else (${conflict.fields.join(', ')})`,
    conflict,
  );
}
