/**
 * How statuses are ordered, named and counted in the view. Pure: no vscode import.
 */

/** Display order of status groups; statuses not listed follow, alphabetically. */
export const STATUS_ORDER = ['in-progress', 'pending', 'review', 'blocked', 'deferred', 'done', 'completed', 'cancelled'];

/** The status a task without one has. */
export const DEFAULT_STATUS = 'pending';

/** `in-progress` → `In Progress`. */
export function statusLabel(status: string): string {
  return status
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(' ');
}

/** Sort key of a status: its index in {@link STATUS_ORDER}, unknown ones after. */
export function compareStatuses(a: string, b: string): number {
  const ia = STATUS_ORDER.indexOf(a);
  const ib = STATUS_ORDER.indexOf(b);
  if (ia >= 0 && ib >= 0) return ia - ib;
  if (ia >= 0) return -1;
  if (ib >= 0) return 1;
  return a.localeCompare(b);
}
