import * as z from 'zod';
import { ChangedPositions } from './changed-positions.js';
import { isLegacyTasksFile, TagDataSchema, TaggedTasksFileSchema, TagMetadataSchema, TaskSchema, validateTasksFile, type TagData, type TasksFile } from './task.js';

/** A tag with its tasks left unchecked: they are checked one by one, and only the new ones. */
const TagShellSchema = z.object({ tasks: z.array(z.unknown()), metadata: TagMetadataSchema.optional() }).loose();
/** The shell without its task list, for a list known to be an array: zod would walk (and copy) every element of it. */
const TagShellAroundTasksSchema = z.object({ metadata: TagMetadataSchema.optional() }).loose();

/**
 * Validates `after`, a new version of the file `before`, checking only what
 * is not shared with `before`: with copy-on-write edits, a tag or task object
 * found in `before` is unchanged and was valid there. Tags named in
 * `brokenTags` were not valid in `before`: left untouched, they are not
 * checked (they go back to the file as they were); touched, they are checked
 * whole. Same issue paths as {@link validateTasksFile}; throws a ZodError when invalid.
 * `positions` shares where the task lists changed with the other passes over this change.
 */
export function validateTasksFileChange(
  before: TasksFile | undefined,
  after: unknown,
  brokenTags: ReadonlyArray<{ tag: string }> = [],
  positions: ChangedPositions = new ChangedPositions(),
): TasksFile {
  if (before === after) return after as TasksFile;
  if (!before || typeof after !== 'object' || after === null || Array.isArray(after)) return validateTasksFile(after);
  if (isLegacyTasksFile(before) !== isLegacyTasksFile(after)) return validateTasksFile(after);
  const broken = new Set(brokenTags.map((p) => p.tag));
  if (isLegacyTasksFile(after)) {
    if (broken.size > 0) checkWhole(TagDataSchema, after, []);
    else checkTag(before as TagData, after, [], positions);
    return after;
  }
  const old = before as Record<string, TagData>;
  const tags = after as Record<string, unknown>;
  for (const tag of Object.keys(tags)) {
    if (tags[tag] === old[tag] && Object.prototype.hasOwnProperty.call(old, tag)) continue;
    // A new tag is checked with the record's key rule; a broken one whole, since none of its old objects can be trusted.
    if (!Object.prototype.hasOwnProperty.call(old, tag)) checkWhole(TaggedTasksFileSchema, Object.fromEntries([[tag, tags[tag]]]), []);
    else if (broken.has(tag)) checkWhole(TagDataSchema, tags[tag], [tag]);
    else checkTag(old[tag]!, tags[tag], [tag], positions);
  }
  return after as TasksFile;
}

function checkWhole(schema: z.ZodType, value: unknown, path: PropertyKey[]): void {
  const result = schema.safeParse(value);
  if (!result.success) throw withPath(result.error, path);
}

function checkTag(before: TagData, after: unknown, path: PropertyKey[], positions: ChangedPositions): void {
  // The tasks are checked one by one below; a list that is no array gets the shell schema's own error.
  const tasksIsArray = typeof after === 'object' && after !== null && Array.isArray((after as { tasks?: unknown }).tasks);
  const shell = (tasksIsArray ? TagShellAroundTasksSchema : TagShellSchema).safeParse(after);
  if (!shell.success) throw withPath(shell.error, path);
  const tasks = (after as TagData).tasks;
  if (tasks === before.tasks) return;
  const old = before.tasks;
  // A task in its old place is the old, valid object (the common case: an update). Others are
  // checked; once a few are out of place (a delete or move shifts the rest), the old ones are
  // looked up in a set instead of checked again. A new version of the task that was in its place
  // (an update, same id) is not out of place: a batch of updates never builds the set, and only
  // the fields it changed are checked, its other values being the old, valid ones.
  let known: Set<unknown> | undefined;
  let outOfPlace = 0;
  for (const i of positions.of(old, tasks)) {
    const updated = sameIdAs(tasks[i], old[i]);
    if (!known && !updated && ++outOfPlace > 8) known = new Set<unknown>(old);
    if (known?.has(tasks[i])) continue;
    const error = updated ? changedFieldsError(old[i]!, tasks[i] as Record<string, unknown>) : TaskSchema.safeParse(tasks[i]).error;
    if (error) throw withPath(error, [...path, 'tasks', i]);
  }
}

const TASK_FIELDS: Readonly<Record<string, z.ZodType>> = TaskSchema.shape;

/**
 * The issues of the fields of `task` that are not `before`'s values, checked
 * against their schemas in {@link TaskSchema}: the same issues, with the same
 * paths, as parsing the whole task, since its fields are checked one by one
 * and independently. Fields it does not know are kept as they are.
 */
function changedFieldsError(before: object, task: Record<string, unknown>): z.ZodError | undefined {
  const was = before as Record<string, unknown>;
  const issues: z.core.$ZodIssue[] = [];
  for (const key of Object.keys(TASK_FIELDS)) {
    if (task[key] === was[key]) continue;
    const result = TASK_FIELDS[key]!.safeParse(task[key]);
    if (!result.success) issues.push(...result.error.issues.map((issue) => ({ ...issue, path: [key, ...issue.path] })));
  }
  return issues.length > 0 ? new z.ZodError(issues) : undefined;
}

function withPath(error: z.ZodError, prefix: PropertyKey[]): z.ZodError {
  return new z.ZodError(error.issues.map((issue) => ({ ...issue, path: [...prefix, ...issue.path] })));
}

/** Whether `task` has the id of `old`, as written (an updated task keeps its id exactly). */
function sameIdAs(task: unknown, old: unknown): boolean {
  if (typeof task !== 'object' || task === null || typeof old !== 'object' || old === null) return false;
  const id = (task as { id?: unknown }).id;
  return id !== undefined && id === (old as { id?: unknown }).id;
}
