import {
  DEFAULT_TAG,
  dependencyFullId,
  idKey,
  invalidFromIssues,
  isLegacyTasksFile,
  parseTaskRef,
  findTag,
  newTagNameProblem,
  tagsOf,
  type FoundTask,
  type IssueLike,
  type TagData,
  type Task,
  type TaskId,
  type TasksFile,
  tagNotFoundError,
  taskNotFoundError,
} from '@taskmaster/protocol';
import { current, isDraft } from 'immer';
import { invalidParams } from '../errors.js';
import { taskIndexOf } from './task-index.js';

/**
 * A plain, read-only view of `value`, which may be a transaction's draft:
 * reading a draft's elements makes a proxy for each one read, so scans over
 * a tag's tasks (finding an id, the next id) go through this instead.
 */
export function readView<T>(value: T): T {
  return isDraft(value) ? (current(value as object) as T) : value;
}

/** The tag's data; 1008 naming the tags that exist when it is missing. */
export function requireTag(data: TasksFile, tag: string): TagData {
  const found = findTag(data, tag);
  if (!found) throw tagNotFoundError(tag, Object.keys(tagsOf(data)));
  return found;
}

/**
 * Checks that `tag` can receive a new task: it exists, or it can be added
 * (the legacy untagged format only has `master`). Does not create it.
 */
export function assertTagCreatable(data: TasksFile, tag: string): void {
  if (findTag(data, tag)) return;
  const problem = newTagNameProblem(tag);
  if (problem) throw invalidParams(problem, { tag });
  if (isLegacyTasksFile(data)) {
    throw invalidParams(`tag ${tag} does not exist: this tasks.json uses the untagged format, which has only ${DEFAULT_TAG}`, { tag });
  }
}

/** The tag's data, adding the tag (with metadata as Task Master writes it) when missing. */
export function ensureTag(data: TasksFile, tag: string, now: string): TagData {
  const existing = findTag(data, tag);
  if (existing) return existing;
  const problem = newTagNameProblem(tag);
  if (problem) throw invalidParams(problem, { tag });
  const tags = tagsOf(data);
  const created: TagData = { tasks: [], metadata: { created: now, updated: now, description: `Tasks for ${tag} context` } };
  tags[tag] = created;
  return created;
}

/** Finds `id` (`5` or `"5.2"`); 1008 naming the id and the tag when absent (-32602 for an id that is not one). */
export function requireTask(tagData: TagData, tag: string, id: TaskId): FoundTask {
  if (!parseTaskRef(id)) throw invalidParams(`invalid task id ${JSON.stringify(id)}: expected a number like 5 or a subtask id like "5.2"`, { id, tag });
  const found = lookUp(tagData, id);
  if (!found) throw taskNotFoundError(tag, idKey(id));
  return found;
}

/** protocol's `findTask`, quick on drafts too (see task-index.ts). */
function lookUp(tagData: TagData, id: TaskId): FoundTask | undefined {
  const ref = parseTaskRef(id);
  if (!ref) return undefined;
  const index = taskIndexOf(tagData.tasks, ref.taskId);
  if (index < 0) return undefined;
  const task = tagData.tasks[index]!;
  if (ref.subtaskId === undefined) return { kind: 'task', task, index };
  const subtasks = task.subtasks ?? [];
  const subIndex = subtasks.findIndex((s) => idKey(s.id) === ref.subtaskId);
  return subIndex < 0 ? undefined : { kind: 'subtask', task: subtasks[subIndex]!, parent: task, index: subIndex };
}

/** The full id of what was found: `"5"` or `"5.2"`. */
export function fullIdOf(found: FoundTask): string {
  return found.kind === 'task' ? idKey(found.task.id) : `${idKey(found.parent.id)}.${idKey(found.task.id)}`;
}

/**
 * Checks that each dependency names something in the tag. For a subtask a
 * plain number is a sibling (Task Master's convention: `[1, "5.2"]` in
 * subtask 5.3 means 5.1 and 5.2); dotted ids are full references.
 */
export function assertDependenciesExist(
  tagData: TagData,
  tag: string,
  deps: readonly TaskId[],
  context: { selfId?: string; parent?: Task },
): void {
  for (const dep of deps) {
    const full = dependencyFullId(dep, context.parent && idKey(context.parent.id));
    if (full === context.selfId) throw invalidParams(`dependencies: task ${context.selfId} cannot depend on itself`, { id: full, tag });
    if (!parseTaskRef(full) || !lookUp(tagData, full)) {
      throw invalidParams(`dependencies: task ${full} not found in tag "${tag}"`, { id: full, tag });
    }
  }
}

/** Refreshes the tag's modification time in whichever field it already uses. */
export function touchTag(tagData: TagData, now: string): void {
  const meta = tagData.metadata;
  if (!meta) return;
  const hasLastModified = 'lastModified' in meta;
  if ('updated' in meta || !hasLastModified) meta.updated = now;
  if (hasLastModified) meta.lastModified = now;
}

/** Parses with a zod schema; -32602 naming the first bad field. */
export function parseOrThrow(
  schema: { safeParse(value: unknown): { success: true } | { success: false; error: { issues: IssueLike[] } } },
  value: unknown,
  where = '',
): void {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidFromIssues(result.error.issues, where);
}

/** A new id with the same type (number or string) as the ids already there. */
export function newIdLike(items: ReadonlyArray<{ id: TaskId }>, next: number): TaskId {
  const last = items[items.length - 1];
  return typeof last?.id === 'string' ? String(next) : next;
}

/** A deep copy of JSON input, so the file never aliases a caller's objects. */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
