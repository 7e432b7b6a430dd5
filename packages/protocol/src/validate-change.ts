import { z } from 'zod';
import { isLegacyTasksFile, TagMetadataSchema, TaskSchema, validateTasksFile, type TagData, type TasksFile } from './task.js';

/** A tag with its tasks left unchecked: they are checked one by one, and only the new ones. */
const TagShellSchema = z.object({ tasks: z.array(z.unknown()), metadata: TagMetadataSchema.optional() }).loose();

/**
 * Validates `after`, a new version of the valid file `before`, checking only
 * what is not shared with `before`: with copy-on-write edits, a tag or task
 * object found in `before` is unchanged and was valid there. Same result and
 * same issue paths as {@link validateTasksFile}; throws a ZodError when invalid.
 */
export function validateTasksFileChange(before: TasksFile | undefined, after: unknown): TasksFile {
  if (before === after) return after as TasksFile;
  if (!before || typeof after !== 'object' || after === null || Array.isArray(after)) return validateTasksFile(after);
  if (isLegacyTasksFile(before) !== isLegacyTasksFile(after)) return validateTasksFile(after);
  if (isLegacyTasksFile(after)) {
    checkTag(before as TagData, after, []);
    return after;
  }
  const old = before as Record<string, TagData>;
  const tags = after as Record<string, unknown>;
  for (const tag of Object.keys(tags)) {
    // A new tag name is checked with the whole file, so the record's key rule applies as before.
    if (!Object.prototype.hasOwnProperty.call(old, tag)) return validateTasksFile(after);
    if (tags[tag] !== old[tag]) checkTag(old[tag]!, tags[tag], [tag]);
  }
  return after as TasksFile;
}

function checkTag(before: TagData, after: unknown, path: PropertyKey[]): void {
  const shell = TagShellSchema.safeParse(after);
  if (!shell.success) throw withPath(shell.error, path);
  const tasks = (after as TagData).tasks;
  if (tasks === before.tasks) return;
  const known = new Set<unknown>(before.tasks);
  for (let i = 0; i < tasks.length; i++) {
    if (known.has(tasks[i])) continue;
    const result = TaskSchema.safeParse(tasks[i]);
    if (!result.success) throw withPath(result.error, [...path, 'tasks', i]);
  }
}

function withPath(error: z.ZodError, prefix: PropertyKey[]): z.ZodError {
  return new z.ZodError(error.issues.map((issue) => ({ ...issue, path: [...prefix, ...issue.path] })));
}
