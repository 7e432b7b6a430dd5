import { isDoneStatus } from '@taskmaster/protocol';
import { describeBlockers, type TaskFacts } from './taskFacts.js';
import type { TaskNode } from './taskNodes.js';

/**
 * What one row of the tasks tree shows, as plain data: text, icon and colour
 * ids. Pure (no vscode import) so the rules are unit-tested; tasksTree.ts
 * turns this into a TreeItem.
 */

/** A row of the tree: the label starts with the id (and progress), so a narrow sidebar cuts the title, never those. */
export interface TaskRow {
  /** `12 (3/5) Implement the parser`: id, subtask progress, title. */
  label: string;
  /** `blocked by 4, 7 · high`: what the sidebar shows after the label, as room allows. */
  description: string;
  /** What a screen reader says: `Task 12: Implement the parser, pending, high priority, blocked by 4 (pending)`. */
  accessibilityLabel: string;
  /** A codicon id. */
  icon: string;
  /** A theme colour id for the icon, if any. */
  color: string | undefined;
}

/** Codicons of the statuses; a status not listed gets {@link UNKNOWN_STATUS_ICON}. */
export const STATUS_ICONS: Readonly<Record<string, string>> = {
  pending: 'circle-large-outline',
  'in-progress': 'play-circle',
  review: 'eye',
  blocked: 'error',
  deferred: 'clock',
  cancelled: 'circle-slash',
  done: 'pass-filled',
  completed: 'pass-filled',
};
const UNKNOWN_STATUS_ICON = 'circle-outline';

/** The icon of a task held up by an unfinished dependency (its colour still says its priority). */
export const BLOCKED_ICON = 'lock';

/** The colour finished tasks keep whatever their priority. */
export const DONE_COLOR = 'testing.iconPassed';

/**
 * Priority → the extension's own theme colours (`contributes.colors` in
 * package.json), so themes and users can restyle them: red, orange, blue,
 * purple — apart in every theme, none green (done) and none grey (a
 * low-priority row must not look disabled).
 */
export const PRIORITY_COLORS: Readonly<Record<string, string>> = {
  critical: 'taskmaster.priority.critical',
  high: 'taskmaster.priority.high',
  medium: 'taskmaster.priority.medium',
  low: 'taskmaster.priority.low',
};

/** The priorities of the legend, most urgent first. */
export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;

/** The icon of a status, and its colour: finished tasks are green, others take their priority's colour. */
export function statusIcon(status: string, priority: string | undefined): { icon: string; color: string | undefined } {
  const icon = STATUS_ICONS[status] ?? UNKNOWN_STATUS_ICON;
  if (isDoneStatus(status)) return { icon, color: DONE_COLOR };
  return { icon, color: priority ? PRIORITY_COLORS[priority] : undefined };
}

/** The priority of a top-level task, if it has a string one (subtasks have none in Task Master's files). */
export function priorityOf(node: TaskNode): string | undefined {
  const { task } = node;
  return node.kind === 'task' && 'priority' in task && typeof task.priority === 'string' && task.priority ? task.priority : undefined;
}

/** The row of a task or subtask node. */
export function taskRow(node: TaskNode, facts: TaskFacts): TaskRow {
  const title = node.task.title || '(untitled)';
  const priority = priorityOf(node);
  const { progress, blockers } = facts;
  const blockedBy = blockers.map((b) => b.id).join(', ');
  // Progress goes in the label, after the id: a sidebar at its default width cuts the description off.
  const progressText = progress ? ` (${progress.done}/${progress.total})` : '';
  const description = [blockers.length > 0 && `blocked by ${blockedBy}`, priority]
    .filter(Boolean)
    .join(' · ');
  const spoken = [
    `Task ${node.taskId}: ${title}`,
    node.status,
    priority && `${priority} priority`,
    progress && `${progress.done} of ${progress.total} subtasks done`,
    blockers.length > 0 && `blocked by ${describeBlockers(blockers)}`,
  ];
  const { icon, color } = statusIcon(node.status, priority);
  return {
    label: `${node.taskId}${progressText} ${title}`,
    description,
    accessibilityLabel: spoken.filter(Boolean).join(', '),
    icon: blockers.length > 0 ? BLOCKED_ICON : icon,
    color,
  };
}
