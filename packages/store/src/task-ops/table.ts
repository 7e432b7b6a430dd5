import type { ReadMethodName, TagProblem, TasksFile, ValidatedParams, WriteMethodName } from '@taskmaster/protocol';
import { assertTagUsable } from '../broken-tags.js';
import { createTask } from './create-task.js';
import { deleteTask } from './delete-task.js';
import { addDependency, fixDependencies, removeDependency, validateDependencies } from './dependencies.js';
import { moveTasks } from './move-task.js';
import { nextTask } from './next-task.js';
import { reorderTask } from './reorder-task.js';
import type { OpContext, ReadOp, ReadValue, WriteOp } from './op-types.js';
import { getTask, listTags, listTasks } from './read-ops.js';
import { setStatus } from './set-status.js';
import { addSubtask, clearSubtasks, removeSubtasks } from './subtasks.js';
import { addTag, copyTag, deleteTag, renameTag } from './tags.js';
import { updateWithStrategy } from './update-with-strategy.js';

/**
 * Every task operation that writes, keyed by its method in the protocol's
 * table: a server runs them in its commit queue, the CLI without a server in
 * a store transaction. A write method added to the protocol fails the build
 * here until it has its op.
 */
export const writeOps: { [M in WriteMethodName]: WriteOp<M> } = {
  'task.create': (data, { parentId, task }, { tag }) => createTask(data, tag, task, parentId),
  'task.update': updateWithStrategy,
  'task.setStatus': (data, { ids, status }, { tag, now }) => setStatus(data, tag, ids, status, now),
  'task.delete': (data, { id }, { tag }) => deleteTask(data, tag, id),
  'task.move': moveTasks,
  'task.reorder': reorderTask,
  'subtask.add': addSubtask,
  'subtask.remove': removeSubtasks,
  'subtasks.clear': clearSubtasks,
  'dependency.add': addDependency,
  'dependency.remove': removeDependency,
  'dependencies.fix': fixDependencies,
  'tag.add': addTag,
  'tag.delete': deleteTag,
  'tag.rename': renameTag,
  'tag.copy': copyTag,
};

/** Every task operation that only reads, keyed by its method. */
export const readOps: { [M in ReadMethodName]: ReadOp<M> } = {
  'tasks.list': listTasks,
  'task.get': getTask,
  'tasks.next': nextTask,
  'tags.list': listTags,
  'dependencies.validate': validateDependencies,
};

/** Read methods about every tag rather than the one in their context: a broken tag does not stop them. */
const ABOUT_EVERY_TAG: ReadonlySet<ReadMethodName> = new Set<ReadMethodName>(['tags.list']);

/**
 * Runs read op `method` on `version`, as a server and the CLI without one
 * both do. Refused with -32602, naming the task and field, when the tag it
 * reads is one of the version's broken tags: their tasks are not valid tasks
 * to hand to anyone. (Writes need no such check: a write that touches a
 * broken tag must leave it valid, see draft-change.ts.)
 */
export function runReadOp<M extends ReadMethodName>(
  method: M,
  version: { data: TasksFile; brokenTags?: readonly TagProblem[] },
  params: ValidatedParams<M>,
  ctx: OpContext,
): ReadValue<M> {
  if (!ABOUT_EVERY_TAG.has(method)) assertTagUsable(version, ctx.tag);
  const op = readOps[method] as ReadOp<M>;
  return op(version.data, params, { ...ctx, brokenTags: version.brokenTags ?? [] });
}
