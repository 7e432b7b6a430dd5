import { dependencyFullId, idKey, isFinishedStatus, type Subtask, type Task } from '@taskmaster/protocol';
import { readView, requireTag } from './lookup.js';
import type { ReadOp, ReadValue } from './op-types.js';

/** The ids (`5`, `5.2`) of every task and subtask in `tasks` whose status {@link isFinishedStatus} (protocol's readiness rule). */
export function finishedIds(tasks: readonly Task[]): Set<string> {
  const ids = new Set<string>();
  for (const task of tasks) {
    if (isFinishedStatus(task.status)) ids.add(idKey(task.id));
    for (const sub of task.subtasks ?? []) if (isFinishedStatus(sub.status)) ids.add(`${idKey(task.id)}.${idKey(sub.id)}`);
  }
  return ids;
}

const PRIORITY_RANK: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1 };
const rankOf = (priority: string | undefined) => PRIORITY_RANK[priority ?? ''] ?? PRIORITY_RANK.medium!;
const WORKABLE = new Set(['pending', 'in-progress']);
/** Numeric order of ids; ids that are not numbers keep their file order. */
const byNumber = (a: string, b: string) => Number(a) - Number(b) || 0;

interface Candidate {
  next: NonNullable<ReadValue<'tasks.next'>['next']>;
  rank: number;
  dependencyCount: number;
  ids: [string, string?];
}

/**
 * `tasks.next`: Task Master's next task. First the subtasks of in-progress
 * tasks that are pending or in progress with every dependency finished (a
 * plain id in a subtask is its sibling), then top-level tasks likewise; within
 * each, highest priority (a subtask without one takes its parent's), then
 * fewest dependencies, then lowest id.
 */
export const nextTask: ReadOp<'tasks.next'> = (data, _params, { tag }) => {
  const tasks = readView(requireTag(data, tag).tasks);
  const finished = finishedIds(tasks);

  const subtasks: Candidate[] = [];
  for (const parent of tasks) {
    if (parent.status !== 'in-progress') continue;
    const parentId = idKey(parent.id);
    for (const sub of parent.subtasks ?? []) {
      if (!WORKABLE.has((sub.status ?? 'pending').toLowerCase())) continue;
      const deps = (sub.dependencies ?? []).map((d) => dependencyFullId(d, parentId));
      if (!deps.every((d) => finished.has(d))) continue;
      const subId = idKey(sub.id);
      subtasks.push({
        next: { id: `${parentId}.${subId}`, parentId, task: sub as Subtask },
        rank: rankOf((sub as { priority?: string }).priority || parent.priority),
        dependencyCount: deps.length,
        ids: [parentId, subId],
      });
    }
  }
  const first = best(subtasks);
  if (first) return { tag, next: first };

  const top: Candidate[] = [];
  for (const task of tasks) {
    if (!WORKABLE.has(task.status ?? 'pending')) continue;
    const deps = task.dependencies ?? [];
    if (!deps.every((d) => finished.has(idKey(d)))) continue;
    const id = idKey(task.id);
    top.push({ next: { id, task }, rank: rankOf(task.priority), dependencyCount: deps.length, ids: [id] });
  }
  return { tag, next: best(top) ?? null };
};

function best(candidates: Candidate[]): Candidate['next'] | undefined {
  // Array.prototype.sort is stable: equal candidates keep their file order.
  candidates.sort(
    (a, b) =>
      b.rank - a.rank ||
      a.dependencyCount - b.dependencyCount ||
      byNumber(a.ids[0], b.ids[0]) ||
      byNumber(a.ids[1] ?? '0', b.ids[1] ?? '0'),
  );
  return candidates[0]?.next;
}

