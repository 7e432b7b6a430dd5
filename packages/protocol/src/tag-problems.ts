import * as z from 'zod';
import { ErrorCode, TaskmasterError } from './errors.js';
import { describeIssue, formatIssuePath, invalidFromIssues, issuesOf, type IssueLike } from './issues.js';
import { setOwnKey } from './own-key.js';
import {
  assertNotTooDeep,
  isLegacyTasksFile,
  parseTasksJson,
  DEFAULT_TAG,
  TagDataSchema,
  TaggedTasksFileSchema,
  validateTasksFile,
  type TasksFile,
} from './task.js';

/**
 * Per-tag validation of a tasks file. One tag holding an invalid task (a null
 * title written by some other tool) must not make every other tag unusable:
 * such a tag is set aside as *broken* — kept as it is, so a write to another
 * tag puts it back byte for byte — and reported by tag, task and field.
 */

/** Why one tag of a file is unusable: its first problem, by task and field. */
export interface TagProblem {
  tag: string;
  /** The id of the task (`7`) or subtask (`7.2`) at fault; absent for a problem in the tag itself or in an id. */
  taskId?: string;
  /** The task's position in the tag's list (from 0), when the problem is in a task. */
  taskIndex?: number;
  /** The field at fault, from the task (`title`, `subtasks[0].status`) or else from the tag (`metadata.created`); empty for the tag as a whole. */
  field: string;
  /** What is wrong with it: `expected string, received null`. */
  problem: string;
  /** How many problems the tag has in all. */
  count: number;
}

/** A tasks file's data with the tags that did not validate (kept in `data` as they are). */
export interface TasksFileByTag {
  data: TasksFile;
  /** One entry per broken tag, in file order; empty when the whole file is valid. */
  brokenTags: TagProblem[];
}

/**
 * Parses the text of a tasks file and validates it tag by tag. Bad JSON
 * (-32700), nesting too deep or a file that is no tasks file at all (-32602)
 * still fail as a whole; a tag whose content is invalid is returned in
 * `brokenTags` instead, and left in `data` untouched. In the legacy untagged
 * format the file is the one tag `master`.
 */
export function parseTasksFileTextByTag(text: string, name: string): TasksFileByTag {
  const data = parseTasksJson(text, name);
  assertNotTooDeep(data, name);
  try {
    return { data: data as TasksFile, brokenTags: validateTagsIndividually(data) };
  } catch (err) {
    const issues = issuesOf(err);
    if (!issues) throw err;
    throw invalidFromIssues(issues, `${name}: `);
  }
}

/**
 * The broken tags of a parsed tasks file, one problem each. Throws a ZodError
 * (as {@link validateTasksFile}) only when the file's top level is wrong: not
 * an object, or an object of neither format.
 */
export function validateTagsIndividually(data: unknown): TagProblem[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    validateTasksFile(data);
    return [];
  }
  if (isLegacyTasksFile(data)) {
    const problem = tagProblemOf(DEFAULT_TAG, data, []);
    return problem ? [problem] : [];
  }
  const problems: TagProblem[] = [];
  for (const tag of Object.keys(data)) {
    const problem = tagProblemOf(tag, (data as Record<string, unknown>)[tag], [tag]);
    if (problem) problems.push(problem);
  }
  return problems;
}

/**
 * `data` without the tags named (a shallow copy of the tagged file); `data`
 * itself when none are named. What a diff of two versions starts from when
 * their broken tags must send no events.
 */
export function withoutTags<T extends TasksFile | undefined>(data: T, tags: readonly string[]): T {
  if (!data || tags.length === 0) return data;
  const copy: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const tag of tags) delete copy[tag];
  return copy as T;
}

/**
 * `data` with each tag of `values` set to its value there, or left out where
 * that is undefined (a shallow copy of the tagged file); `data` itself when
 * `values` is empty. How a version is shown with some tags as another holds
 * them: a broken tag as clients last had it, or as the team knows it.
 */
export function withTagsAs(data: TasksFile, values: ReadonlyMap<string, unknown>): TasksFile {
  if (values.size === 0) return data;
  const copy: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const [tag, value] of values) {
    if (value === undefined) delete copy[tag];
    else setOwnKey(copy, tag, value);
  }
  return copy as TasksFile;
}

/** `data[tag]` when `data` has its own key `tag` (a tag named `__proto__` included), else undefined. */
export function ownTag(data: TasksFile, tag: string): unknown {
  return Object.prototype.hasOwnProperty.call(data, tag) ? (data as Record<string, unknown>)[tag] : undefined;
}

/**
 * A tasks file as the server sends it (`sync.pull`, `sync.snapshot`): its top
 * level a tasks file of either format, each tag valid — or broken on disk
 * already, which the server keeps untouched and sends as it is (it sends no
 * task events for such a tag). So a client checking what it receives takes
 * what the server took from tasks.json, and nothing less formed.
 */
export const ServedTasksFileSchema = z.custom<TasksFile>().superRefine((value, ctx) => {
  try {
    validateTagsIndividually(value);
  } catch (err) {
    const issues = issuesOf(err);
    if (!issues) throw err;
    for (const issue of issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [...issue.path] });
  }
});

/**
 * The problem of one tag's value, or undefined when it is valid. `prefix` is
 * the tag's path in the file (`[]` for the legacy format), which the record's
 * key rule (no empty tag name) is checked with.
 */
export function tagProblemOf(tag: string, value: unknown, prefix: readonly PropertyKey[]): TagProblem | undefined {
  // Object.fromEntries defines even `__proto__` as an own key, as JSON.parse does.
  const result = prefix.length === 0 ? TagDataSchema.safeParse(value) : TaggedTasksFileSchema.safeParse(Object.fromEntries([[tag, value]]));
  if (result.success) return undefined;
  return describeTagIssues(tag, value, result.error.issues, prefix.length);
}

/**
 * Turns issues found in tag `tag` (paths from the file's top, with `depth`
 * leading keys before the tag's own) into the tag's first problem.
 */
export function describeTagIssues(tag: string, value: unknown, issues: readonly IssueLike[], depth: number): TagProblem {
  const first = issues[0]!;
  const path = first.path.slice(depth);
  const problem = describeIssue({ ...first, path: [] });
  const count = issues.length;
  if (path[0] === 'tasks' && typeof path[1] === 'number') {
    const taskIndex = path[1];
    const task = (value as { tasks: unknown[] }).tasks[taskIndex] as { id?: unknown; subtasks?: Array<{ id?: unknown }> } | undefined;
    const rest = path.slice(2);
    let taskId = plainId(task?.id);
    // A problem in a subtask is named by the subtask: `7.2`, field `title`.
    if (taskId !== undefined && rest[0] === 'subtasks' && typeof rest[1] === 'number' && rest.length > 2) {
      const subId = plainId(task?.subtasks?.[rest[1]]?.id);
      if (subId !== undefined) return { tag, taskId: `${taskId}.${subId}`, taskIndex, field: formatIssuePath(rest.slice(2)), problem, count };
    }
    if (rest[0] === 'id') taskId = undefined;
    return { tag, ...(taskId === undefined ? {} : { taskId }), taskIndex, field: formatIssuePath(rest), problem, count };
  }
  return { tag, field: formatIssuePath(path), problem, count };
}

/**
 * `tag B, task 7, field title: expected string, received null` — what a
 * person reads, in one line; without `tag B, ` where the tag is named already.
 */
export function describeTagProblem(p: TagProblem, { withTag = true }: { withTag?: boolean } = {}): string {
  const where = withTag ? [`tag ${p.tag}`] : [];
  if (p.taskId !== undefined) where.push(`task ${p.taskId}`);
  else if (p.taskIndex !== undefined) where.push(`task #${p.taskIndex + 1} in the list`);
  if (p.field) where.push(`field ${p.field}`);
  const more = p.count > 1 ? ` (and ${p.count - 1} more problem${p.count > 2 ? 's' : ''})` : '';
  return where.length > 0 ? `${where.join(', ')}: ${p.problem}${more}` : `${p.problem}${more}`;
}

/**
 * A broken tag's problem as `tags.list` gives it (`problem`): where and
 * what, without the tag's name (`task 7, field title: expected string`).
 * Clients that read the file themselves say it the same way.
 */
export function tagProblemText(p: TagProblem): string {
  return describeTagProblem(p, { withTag: false });
}

/** How to get a broken tag back, for messages. */
export const BROKEN_TAG_FIX =
  "fix it in tasks.json, or go back to an earlier version: 'taskmaster history list' shows the snapshots, 'taskmaster history restore <id>' restores one";

/** What users are told of a broken tag they did not ask for: the other tags work. */
export function brokenTagNotice(p: TagProblem): string {
  return brokenTagNoticeFor(p.tag, tagProblemText(p));
}

/** {@link brokenTagNotice} from what `tags.list` says of a tag: its name and `problem`. */
export function brokenTagNoticeFor(tag: string, problem: string): string {
  return `tasks.json is invalid in tag ${tag}, ${problem}; that tag is left as it is and cannot be used until it is fixed (${BROKEN_TAG_FIX}). Other tags work.`;
}

/**
 * The error for a command on a broken tag (-32602), naming the task and field.
 * Its data carries the problem (`reason: 'broken-tag'`) for programs.
 */
export function brokenTagError(p: TagProblem): TaskmasterError {
  return new TaskmasterError(ErrorCode.InvalidParams, `tasks.json is invalid in ${describeTagProblem(p)} — ${BROKEN_TAG_FIX}`, {
    reason: 'broken-tag',
    ...p,
  });
}

/** The problem of `tag` if it is broken. */
export function brokenTagNamed(brokenTags: readonly TagProblem[] | undefined, tag: string): TagProblem | undefined {
  return brokenTags?.find((p) => p.tag === tag);
}

function plainId(id: unknown): string | undefined {
  return typeof id === 'number' || (typeof id === 'string' && id.length > 0) ? String(id) : undefined;
}
