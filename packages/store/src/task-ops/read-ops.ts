import {
  brokenTagNamed,
  tagProblemText,
  ErrorCode,
  idKey,
  isDoneStatus,
  isLegacyTasksFile,
  KNOWN_STATUSES,
  TaskmasterError,
  tagsOf,
  type TagProblem,
  type Task,
  type TasksFile,
} from '@taskmaster/protocol';
import { fullIdOf, readView, requireTag, requireTask } from './lookup.js';
import { finishedIds } from './next-task.js';
import type { ReadOp, ReadValue } from './op-types.js';

/** Statuses Task Master's `list --ready` lists (its ACTIONABLE_STATUSES). */
const READY_STATUSES = new Set(['pending', 'in-progress', 'review']);

/** `tasks.list`: a tag's tasks, by status (any status the file holds, or one of Task Master's), only ready ones. */
export const listTasks: ReadOp<'tasks.list'> = (data, params, { tag }) => {
  let tasks = readView(requireTag(data, tag).tasks);
  const status = params?.status;
  if (status !== undefined) {
    const wanted = new Set(Array.isArray(status) ? status : [status]);
    const valid = new Set<string>([...KNOWN_STATUSES, ...tasks.map((t) => t.status ?? 'pending')]);
    const unknown = [...wanted].filter((s) => !valid.has(s));
    if (unknown.length > 0) {
      throw new TaskmasterError(ErrorCode.InvalidParams, `invalid status ${unknown.map((s) => JSON.stringify(s)).join(', ')}; use one of ${[...valid].join(', ')}`, {
        issues: [{ path: 'status', message: `unknown status ${unknown.join(', ')}` }],
      });
    }
    tasks = tasks.filter((t) => wanted.has(t.status ?? 'pending'));
  }
  if (params?.ready) {
    // Task Master's `list --ready`: a status one can work on (pending, in-progress, review) and every
    // dependency done, completed or cancelled. Unlike Task Master, a dependency on a subtask ("5.2")
    // counts once that subtask is finished (its `--ready` never lets such a task through).
    const finished = finishedIds(readView(requireTag(data, tag).tasks));
    tasks = tasks.filter((t) => READY_STATUSES.has(t.status ?? 'pending') && (t.dependencies ?? []).every((d) => finished.has(idKey(d))));
  }
  if (params?.withSubtasks === false) tasks = tasks.map(({ subtasks: _omit, ...rest }) => rest as Task);
  return { tag, tasks };
};

/** `task.get`: one task or subtask (`5.2`). */
export const getTask: ReadOp<'task.get'> = (data, params, { tag }) => {
  const found = requireTask(requireTag(data, tag), tag, params.id);
  return { tag, id: fullIdOf(found), task: found.task as Task };
};

/** `tags.list`: every tag with its counts, and the current one. */
export const listTags: ReadOp<'tags.list'> = (data, _params, { currentTag, brokenTags }) => ({ current: currentTag, tags: tagSummaries(data, brokenTags) });

/** Name, counts and description of every tag, and the problem of each of `brokenTags`. */
export function tagSummaries(data: TasksFile, brokenTags: readonly TagProblem[] = []): ReadValue<'tags.list'>['tags'] {
  return Object.entries(tagsOf(data)).map(([name, tagData]) => {
    // A broken tag may hold anything: counted as far as it is a list of objects.
    const tasks: unknown[] = Array.isArray(tagData.tasks) ? tagData.tasks : [];
    const summary: ReadValue<'tags.list'>['tags'][number] = {
      name,
      taskCount: tasks.length,
      completedCount: tasks.filter((t) => typeof t === 'object' && t !== null && isDoneStatus((t as Task).status)).length,
    };
    const description = isLegacyTasksFile(data) ? undefined : tagData.metadata?.description;
    if (typeof description === 'string') summary.description = description;
    const problem = brokenTagNamed(brokenTags, name);
    if (problem) summary.problem = tagProblemText(problem);
    return summary;
  });
}
