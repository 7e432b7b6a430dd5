import {
  changedFields,
  idKey,
  TaskPatchSchema,
  TaskSchema,
  type Task,
  type TaskId,
  type TasksFile,
} from '@taskmaster/protocol';
import { invalidParams } from '../errors.js';
import { assertDependenciesExist, cloneJson, fullIdOf, parseOrThrow, readView, requireTag, requireTask, touchTag } from './lookup.js';

/** What an update returns: the task after the change and the fields whose values changed. */
export interface UpdatedTask {
  tag: string;
  id: string;
  task: Task;
  changed: string[];
}

/**
 * Applies `changes` to a task or subtask (`"5.2"`). Fields not named are
 * kept as they are, unknown ones included; new fields go after existing ones.
 * Only dependencies that are new must exist. Checks everything first.
 */
export function updateTask(data: TasksFile, tag: string, id: TaskId, changes: Record<string, unknown>): UpdatedTask {
  parseOrThrow(TaskPatchSchema, changes);
  const tagData = requireTag(data, tag);
  const found = requireTask(tagData, tag, id);
  const fullId = fullIdOf(found);
  const patch = Object.fromEntries(Object.entries(cloneJson(changes)).filter(([, v]) => v !== undefined));
  if (found.kind === 'subtask' && 'subtasks' in patch) {
    throw invalidParams(`subtasks: ${fullId} is a subtask, and subtasks cannot have subtasks`, { id: fullId, tag });
  }
  // Read through a plain view: spreading or comparing a draft goes through its proxy key by key.
  const before = readView(found.task);
  if (Array.isArray(patch.dependencies)) {
    const current = new Set((before.dependencies ?? []).map(idKey));
    const added = (patch.dependencies as TaskId[]).filter((d) => !current.has(idKey(d)));
    assertDependenciesExist(tagData, tag, added, { selfId: fullId, parent: found.kind === 'subtask' ? found.parent : undefined });
  }
  const next = { ...before, ...patch };
  // The patch's fields passed TaskPatchSchema and the others are the task's valid values; only
  // subtasks, which the patch takes as any records, are checked here in full. The draft checks
  // the changed fields of the result again, as it does for every op.
  if ('subtasks' in patch) parseOrThrow(TaskSchema, next);
  const changed = changedFields(before, next);

  if (changed.length > 0) {
    const target = found.task as Record<string, unknown>;
    for (const key of changed) target[key] = patch[key];
    touchTag(tagData, new Date().toISOString());
  }
  // `next` is the task as it now is, as a plain object: no draft for the caller to copy.
  return { tag, id: fullId, task: next as Task, changed };
}
