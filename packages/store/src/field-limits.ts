import type { TaskChange } from '@taskmaster/protocol';
import { invalidParams } from './errors.js';

/** Default ceiling on one string of a task (title, details…): far above any real text, far below a runaway paste. */
export const DEFAULT_MAX_FIELD_BYTES = 1024 * 1024;

/**
 * Rejects (-32602) a change that puts a string over `maxFieldBytes` bytes in
 * a task or subtask it creates or updates, naming the task and field. Only
 * what the change touched is looked at: created tasks whole (their subtasks
 * too), updated tasks' changed fields; so a commit stays cheap, and a file
 * that already holds a big field can still be edited elsewhere.
 */
export function assertFieldSizes(changes: readonly TaskChange[], maxFieldBytes: number): void {
  for (const change of changes) {
    if (change.event === 'task.created') {
      checkValue(change.payload.id, '', change.payload.task, maxFieldBytes, true);
    } else if (change.event === 'task.updated') {
      const task = change.payload.task as unknown as Record<string, unknown>;
      for (const field of change.payload.changed) checkValue(change.payload.id, field, task[field], maxFieldBytes, false);
    }
  }
}

/** Walks `value` (at `field` of task `id`); subtasks of a created task are reported under their own ids. */
function checkValue(id: string, field: string, value: unknown, max: number, created: boolean): void {
  if (typeof value === 'string') {
    // A UTF-8 string has at least as many bytes as UTF-16 units, and at most three per unit.
    if (value.length * 3 <= max) return;
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > max) {
      throw invalidParams(
        `task ${id}: ${field} is ${bytes} bytes, over the ${max}-byte limit for one field; nothing was written (shorten it, or keep long text in a file and link to it)`,
        { id, field, bytes, maxFieldBytes: max },
      );
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item: unknown, i) => {
      if (created && field === 'subtasks' && isSubtask(item)) checkValue(`${id}.${String(item.id)}`, '', item, max, true);
      else checkValue(id, `${field}[${i}]`, item, max, created);
    });
    return;
  }
  for (const [key, item] of Object.entries(value)) checkValue(id, field ? `${field}.${key}` : key, item, max, created);
}

function isSubtask(item: unknown): item is { id: unknown } {
  return typeof item === 'object' && item !== null && 'id' in item;
}
