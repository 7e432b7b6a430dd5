import { blockersOf, idKey, isFinishedStatus, subtaskProgress, type Task, type TasksFile, tagsOf } from '@taskmaster/protocol';

/** Task Master's statuses, in board order; `blocked` gets a column only when a task has it. */
export const STATUSES = ['pending', 'in-progress', 'review', 'done', 'deferred', 'cancelled'] as const;
/** Columns folded away while empty. */
export const OPTIONAL_STATUSES: ReadonlySet<string> = new Set(['review', 'deferred', 'cancelled', 'blocked']);
/** The statuses Task Master writes: what a drop or the drawer can set. */
export const SETTABLE_STATUSES: readonly string[] = [...STATUSES, 'blocked'];
export const WRITABLE_STATUSES: ReadonlySet<string> = new Set(SETTABLE_STATUSES);

export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;

/** A task's status as the board files it (Task Master reads a missing one as pending). */
export function statusOf(task: { status?: string | null }): string {
  return task.status || 'pending';
}

/**
 * A task's title as the board prints it. A broken tag may hold a task
 * without one (another tool wrote `null`): it shows as `(untitled)`, as in
 * VS Code's tree, and never stops the page.
 */
export function titleOf(task: { title?: unknown }): string {
  return typeof task.title === 'string' && task.title !== '' ? task.title : '(untitled)';
}

/** Column order for a tag: Task Master's six, then `blocked` and any other status a file holds. */
export function columnsFor(tasks: readonly Task[]): string[] {
  const columns: string[] = [...STATUSES];
  for (const t of tasks) {
    const s = statusOf(t);
    if (!columns.includes(s)) columns.push(s);
  }
  return columns;
}

/** The tag names of a file, in file order (a legacy file has one: master). */
export function tagNames(file: TasksFile | undefined): string[] {
  return file ? Object.keys(tagsOf(file)) : [];
}

/** Subtasks done out of all (protocol's rule, as VS Code's tree shows it). */
export { subtaskProgress };

/**
 * The ids of a task's dependencies that hold it up: not finished (done,
 * completed, cancelled) or not in the tag — protocol's readiness rule, the
 * one `tasks.next` and VS Code's tree use. `statuses`: protocol's statusesById of the tag.
 */
export function openDependencies(task: Task, statuses: ReadonlyMap<string, string>): string[] {
  return blockersOf(task, statuses).map((b) => b.id);
}

/**
 * "ready" or "blocked by #4, #7": what a card says about its dependencies; for
 * a finished task (done, completed, cancelled) nothing, as the Ready filter
 * leaves it out: there is nothing left to start.
 */
export function readinessLabel(task: Pick<Task, 'status'>, open: readonly string[]): string | undefined {
  if (isFinishedStatus(task.status)) return undefined;
  return open.length === 0 ? 'ready' : `blocked by ${open.map((d) => `#${d}`).join(', ')}`;
}

/** Index of a tag's tasks by id. */
export function indexTasks(tasks: readonly Task[]): Map<string, Task> {
  return new Map(tasks.map((t) => [idKey(t.id), t]));
}

/** What the toolbar narrows the board to. */
export interface Filters {
  query: string;
  status: string;
  priority: string;
  readyOnly: boolean;
}

export const NO_FILTERS: Filters = { query: '', status: '', priority: '', readyOnly: false };

/** Whether `task` passes the filters: the query matches title, description or details (case-insensitive). */
export function matches(task: Task, filters: Filters, statuses: ReadonlyMap<string, string>): boolean {
  if (filters.status && statusOf(task) !== filters.status) return false;
  if (filters.priority && (task.priority ?? 'medium') !== filters.priority) return false;
  if (filters.readyOnly && (isFinishedStatus(task.status) || openDependencies(task, statuses).length > 0)) return false;
  const q = filters.query.trim().toLowerCase();
  if (!q) return true;
  return [task.title, task.description, task.details].some((text) => typeof text === 'string' && text.toLowerCase().includes(q));
}
