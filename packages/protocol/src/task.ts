import * as z from 'zod';
import { ErrorCode, TaskmasterError } from './errors.js';
import { invalidFromIssues, issuesOf } from './issues.js';
import { findJsonSyntaxError } from './json-syntax.js';
import { exceedsJsonDepth, tooDeepMessage } from './json-depth.js';

/**
 * Schemas of Task Master's `.taskmaster/tasks/tasks.json`.
 *
 * Real files are messy: ids are numbers or numeric strings, dependencies mix
 * `1` and `"2.1"`, metadata comes in two shapes, and tools add fields of their
 * own. Every object schema is `loose()` so unknown fields survive a round trip.
 */

/** A task or subtask id as found in files: `5`, `"5"`, or for dependencies `"5.2"`. */
export const TaskIdSchema = z.union([z.number().int().nonnegative(), z.string().min(1)]);
export type TaskId = z.infer<typeof TaskIdSchema>;

/**
 * The statuses Task Master 0.43.1's CLI accepts and writes (its `set-status`
 * takes `blocked` too, though its docs list six): the only ones we write. Its
 * `list` fails on any other ("Invalid task status").
 */
export const TASK_STATUSES = ['pending', 'in-progress', 'done', 'review', 'deferred', 'cancelled', 'blocked'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Statuses met in real files besides Task Master's: read, kept and shown, never written by us. */
export const KNOWN_STATUSES = [...TASK_STATUSES, 'completed'] as const;
export type KnownStatus = (typeof KNOWN_STATUSES)[number];

/** True for the statuses that count as finished (`done`, and `completed` seen in real files). */
export function isDoneStatus(status: string | undefined): boolean {
  return status === 'done' || status === 'completed';
}

/** Any status read from a file; writes made through our API use {@link StatusSchema}. */
export const FileStatusSchema = z.string().min(1);
/** A status a client may set: one of Task Master's. */
export const StatusSchema = z.enum(TASK_STATUSES, {
  error: (issue) => `invalid status ${JSON.stringify(issue.input)}; use one of ${TASK_STATUSES.join(', ')}`,
});

export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export const PrioritySchema = z.enum(PRIORITIES);

/**
 * What a task and a subtask both start with, as Task Master writes them
 * (texts may be null). Spread first, so that each schema keeps the order of
 * Task Master's fields.
 */
const leadingFields = {
  id: TaskIdSchema,
  title: z.string(),
  description: z.string().nullish(),
  details: z.string().nullish(),
  testStrategy: z.string().nullish(),
  status: FileStatusSchema.optional(),
};

export const SubtaskSchema = z
  .object({
    ...leadingFields,
    dependencies: z.array(TaskIdSchema).optional(),
  })
  .loose();
export type Subtask = z.infer<typeof SubtaskSchema>;

export const TaskSchema = z
  .object({
    ...leadingFields,
    priority: z.string().optional(),
    dependencies: z.array(TaskIdSchema).optional(),
    subtasks: z.array(SubtaskSchema).optional(),
  })
  .loose();
export type Task = z.infer<typeof TaskSchema>;

/** Either metadata shape seen in real files; both are optional field bags. */
export const TagMetadataSchema = z
  .object({
    created: z.string().optional(),
    updated: z.string().optional(),
    description: z.string().optional(),
    version: z.string().optional(),
    lastModified: z.string().optional(),
    taskCount: z.number().optional(),
    completedCount: z.number().optional(),
    tags: z.array(z.string()).optional(),
  })
  .loose();
export type TagMetadata = z.infer<typeof TagMetadataSchema>;

export const TagDataSchema = z
  .object({
    tasks: z.array(TaskSchema),
    metadata: TagMetadataSchema.optional(),
  })
  .loose();
export type TagData = z.infer<typeof TagDataSchema>;

/** The tagged format: `{"master": {"tasks": [...], "metadata": {...}}, ...}`. */
export const TaggedTasksFileSchema = z.record(z.string().min(1), TagDataSchema);
export type TaggedTasksFile = z.infer<typeof TaggedTasksFileSchema>;

/** The legacy untagged format: `{"tasks": [...], "metadata": {...}}`. */
export const LegacyTasksFileSchema = TagDataSchema;
export type LegacyTasksFile = TagData;

/** A tasks file in either format (the format is told by a top-level `tasks` array). */
export const TasksFileSchema = z.custom<unknown>().pipe(
  z.union([LegacyTasksFileSchema, TaggedTasksFileSchema]),
);

/**
 * The schema that fits `data`'s format, so errors speak of that format's
 * fields instead of a union of both.
 */
export function tasksFileSchemaFor(data: unknown): typeof LegacyTasksFileSchema | typeof TaggedTasksFileSchema {
  return isLegacyTasksFile(data) ? LegacyTasksFileSchema : TaggedTasksFileSchema;
}
export type TasksFile = TaggedTasksFile | LegacyTasksFile;

/** The tag Task Master uses when none is chosen. */
export const DEFAULT_TAG = 'master';

/** True when the parsed file uses the legacy untagged layout. */
export function isLegacyTasksFile(data: unknown): data is LegacyTasksFile {
  return (
    typeof data === 'object' &&
    data !== null &&
    Array.isArray((data as { tasks?: unknown }).tasks)
  );
}

/**
 * A view of either format as tags. The legacy file is exposed as the
 * `master` tag, sharing its objects, so edits through the view edit the file.
 */
export function tagsOf(data: TasksFile): TaggedTasksFile {
  return isLegacyTasksFile(data) ? { [DEFAULT_TAG]: data } : data;
}

/**
 * The tag named `tag`, or undefined. Only the file's own keys count, so a tag
 * name like `constructor` or `toString` never finds Object.prototype's member.
 */
export function findTag(data: TasksFile, tag: string): TagData | undefined {
  const tags = tagsOf(data);
  return Object.prototype.hasOwnProperty.call(tags, tag) ? tags[tag] : undefined;
}

/** Whether the file holds `tag` (its own key: `__proto__` is a tag like any other). */
export function hasTag(data: TasksFile, tag: string): boolean {
  return findTag(data, tag) !== undefined;
}

/**
 * Why `tag` cannot be added as a new tag, or undefined when it can. `__proto__`
 * read from a file is an ordinary key, but assigning it sets an object's
 * prototype instead of adding a key, so it is refused as a new name.
 */
export function newTagNameProblem(tag: string): string | undefined {
  if (!tag.trim()) return 'tag must be a non-empty name';
  if (tag === '__proto__') return 'a tag cannot be named __proto__; choose another name';
  return undefined;
}

/** A new, empty tagged file as `taskmaster init` writes it. */
export function emptyTasksFile(now = new Date()): TaggedTasksFile {
  return {
    [DEFAULT_TAG]: {
      tasks: [],
      metadata: {
        created: now.toISOString(),
        updated: now.toISOString(),
        description: 'Tasks for master context',
      },
    },
  };
}

/**
 * Validates a parsed tasks file and returns the input itself, not zod's copy:
 * zod rebuilds objects in schema key order, and Task Master's key order must
 * survive a round trip so diffs stay small. Throws a ZodError when invalid.
 */
export function validateTasksFile(data: unknown): TasksFile {
  tasksFileSchemaFor(data).parse(data);
  return data as TasksFile;
}

/**
 * Parses the text of a tasks file and validates it (unless `trusted`: text we
 * wrote ourselves). Throws TaskmasterError -32700 with `{line, column}` for
 * bad JSON, -32602 naming the first bad path for a wrong shape. Messages name
 * places, never the file's contents. To load a file in which one tag is
 * broken without failing the others, see `parseTasksFileTextByTag`.
 */
export function parseTasksFileText(text: string, name: string, trusted = false): TasksFile {
  const data = parseTasksJson(text, name);
  if (trusted) return data as TasksFile;
  // Before anything walks it recursively (validation, freezing, diffing, stringify).
  assertNotTooDeep(data, name);
  try {
    return validateTasksFile(data);
  } catch (err) {
    const issues = issuesOf(err);
    if (!issues) throw err;
    throw invalidFromIssues(issues, `${name}: `);
  }
}

/**
 * The JSON value of a tasks file's text (a byte-order mark allowed); -32700
 * with `{line, column}` when it is not JSON. Validates nothing.
 */
export function parseTasksJson(text: string, name: string): unknown {
  try {
    // Editors on Windows may save a byte-order mark, which JSON.parse rejects.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    const problem = findJsonSyntaxError(text);
    const where = problem ? ` at line ${problem.line}, column ${problem.column}: ${problem.reason}` : '';
    throw new TaskmasterError(
      ErrorCode.ParseError,
      `${name} is not valid JSON${where}`,
      problem ? { line: problem.line, column: problem.column } : undefined,
    );
  }
}

/** -32602 for a value nested deeper than anything may walk recursively. */
export function assertNotTooDeep(data: unknown, name: string): void {
  if (exceedsJsonDepth(data)) throw new TaskmasterError(ErrorCode.InvalidParams, `${name}: ${tooDeepMessage('the file')}`);
}
