import {
  idKey,
  nextId,
  parseTaskRef,
  SubtaskSchema,
  findTag,
  TaskInputSchema,
  TaskSchema,
  type Subtask,
  type Task,
  type TaskId,
  type TaskInput,
  type TasksFile,
} from '@taskmaster/protocol';
import { invalidParams } from '../errors.js';
import {
  assertDependenciesExist,
  assertTagCreatable,
  cloneJson,
  ensureTag,
  newIdLike,
  parseOrThrow,
  requireTag,
  requireTask,
  touchTag,
} from './lookup.js';
import { nextTaskId } from './task-index.js';

/** What a create returns: the new task as stored and its full id. */
export interface CreatedTask {
  tag: string;
  id: string;
  task: Task;
}

/** Fields the store assigns itself; a caller's values for them are ignored. */
const ASSIGNED = new Set(['id', 'parentTaskId']);

/**
 * Adds a task (or a subtask of `parentId`) with the next free id, defaults
 * and Task Master's key order; unknown input fields are kept after those.
 * A missing tag is created. Everything is checked before `data` is touched.
 */
export function createTask(data: TasksFile, tag: string, input: TaskInput, parentId?: TaskId): CreatedTask {
  parseOrThrow(TaskInputSchema, input);
  const fields = cloneJson(input) as Record<string, unknown>;
  const now = new Date().toISOString();
  if (parentId !== undefined) return createSubtask(data, tag, fields, parentId, now);

  assertTagCreatable(data, tag);
  const existing = findTag(data, tag);
  const tasks = existing?.tasks ?? [];
  if (existing) assertDependenciesExist(existing, tag, (fields.dependencies as TaskId[] | undefined) ?? [], {});
  else if ((fields.dependencies as unknown[] | undefined)?.length) {
    throw invalidParams(`dependencies: tag ${tag} has no tasks yet`, { tag });
  }
  const task = withRest(
    {
      id: newIdLike(tasks, nextTaskId(tasks)),
      title: fields.title,
      description: fields.description ?? '',
      status: fields.status ?? 'pending',
      dependencies: fields.dependencies ?? [],
      priority: fields.priority ?? 'medium',
      details: fields.details ?? '',
      testStrategy: fields.testStrategy ?? '',
      subtasks: fields.subtasks ?? [],
    },
    fields,
  ) as Task;
  parseOrThrow(TaskSchema, task);

  const tagData = ensureTag(data, tag, now);
  tagData.tasks.push(task);
  touchTag(tagData, now);
  return { tag, id: idKey(task.id), task };
}

function createSubtask(data: TasksFile, tag: string, fields: Record<string, unknown>, parentId: TaskId, now: string): CreatedTask {
  const tagData = requireTag(data, tag);
  if (parseTaskRef(parentId)?.subtaskId !== undefined) {
    throw invalidParams(`parentId: ${idKey(parentId)} is a subtask, and subtasks cannot have subtasks`, { id: idKey(parentId), tag });
  }
  const parent = requireTask(tagData, tag, parentId).task as Task;
  const siblings = parent.subtasks ?? [];
  const id = newIdLike(siblings, nextId(siblings));
  const fullId = `${idKey(parent.id)}.${idKey(id)}`;
  assertDependenciesExist(tagData, tag, (fields.dependencies as TaskId[] | undefined) ?? [], { parent, selfId: fullId });
  const subtask = withRest(
    {
      id,
      title: fields.title,
      description: fields.description ?? '',
      details: fields.details ?? '',
      status: fields.status ?? 'pending',
      dependencies: fields.dependencies ?? [],
      parentTaskId: parent.id,
    },
    fields,
  ) as Subtask;
  parseOrThrow(SubtaskSchema, subtask);

  if (!parent.subtasks) parent.subtasks = [];
  parent.subtasks.push(subtask);
  touchTag(tagData, now);
  return { tag, id: fullId, task: subtask as Task };
}

/** `base` followed by the input's other fields, in the input's order. */
function withRest(base: Record<string, unknown>, fields: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(fields)) {
    if (!(key in out) && !ASSIGNED.has(key) && value !== undefined) out[key] = value;
  }
  return out;
}
