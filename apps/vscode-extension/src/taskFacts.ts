import { type Blocker, type subtaskProgress } from '@taskmaster/protocol';

/**
 * What the tree tells about a task beyond its own fields: how far its
 * subtasks are, and which unfinished dependencies hold it up — by protocol's
 * readiness rule (`blockersOf`, `subtaskProgress`), the one `tasks.next`,
 * `list --ready` and the board use. Pure: no vscode import.
 */

export type { Blocker };

/** Done and total subtasks of a task (`3/5`), as protocol's subtaskProgress gives them. */
export type SubtaskProgress = NonNullable<ReturnType<typeof subtaskProgress>>;

/** What a task row shows beyond the task's own fields. */
export interface TaskFacts {
  /** Done/total subtasks, for tasks that have subtasks. */
  progress?: SubtaskProgress;
  /** Unfinished dependencies; empty when the task is ready (or finished). */
  blockers: Blocker[];
}

/** `4 (pending), 7 (not in this tag)`: blockers as a person reads them. */
export function describeBlockers(blockers: readonly Blocker[]): string {
  return blockers.map((b) => `${b.id} (${b.status ?? 'not in this tag'})`).join(', ');
}
