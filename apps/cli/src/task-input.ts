import { PRIORITIES, TASK_STATUSES, type TaskStatus } from '@taskmaster/protocol';

type Priority = (typeof PRIORITIES)[number];
import { usageError } from './cli-error.js';

/** Ids as the file stores them: `5` as a number, `5.2` as a string. */
export function toTaskIds(ids: string[]): Array<string | number> {
  return ids.map((id) => (/^\d+$/.test(id) ? Number(id) : id));
}

/** The priority if valid; a usage error naming the valid ones otherwise. */
export function checkPriority(priority: string | undefined, usage: string): Priority | undefined {
  if (priority === undefined) return undefined;
  if ((PRIORITIES as readonly string[]).includes(priority)) return priority as Priority;
  throw usageError(`invalid priority '${priority}'`, `taskmaster ${usage}`, `use one of ${PRIORITIES.join(', ')}`);
}

/** The status if Task Master knows it (the only ones we write); a usage error naming them otherwise. */
export function checkStatus(status: string, usage: string): TaskStatus {
  if ((TASK_STATUSES as readonly string[]).includes(status)) return status as TaskStatus;
  throw usageError(`invalid status '${status}'`, `taskmaster ${usage}`, `use one of ${TASK_STATUSES.join(', ')}`);
}

/** Task ids as typed: `5`, `5.2`; anything else is a usage error. */
export function checkIds(ids: string[], usage: string): string[] {
  for (const id of ids) {
    if (!/^\d+(\.\d+)?$/.test(id)) throw usageError(`invalid task id '${id}'`, `taskmaster ${usage}`, 'ids look like 5 or 5.2 (a subtask)');
  }
  return ids;
}

/** Subtask ids (`5.2`): Task Master's remove-subtask takes nothing else. */
export function checkSubtaskIds(ids: string[], usage: string): string[] {
  for (const id of ids) {
    if (!/^\d+\.\d+$/.test(id)) throw usageError(`'${id}' is not a subtask id`, `taskmaster ${usage}`, 'subtask ids look like 5.2 (task 5, subtask 2)');
  }
  return ids;
}
