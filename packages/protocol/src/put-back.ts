import type { EventPayload } from './events.js';
import type { TaskUpdateParams } from './methods.js';

/**
 * The `task.update` that puts back what another program wrote over, from
 * its `sync.conflict`: the fields' values as they were here (`ours`).
 * Undefined when no update can: a task or tag one side deleted (`*`), or a
 * field removed here — those are mended from the history snapshot the
 * notice names.
 */
export function putBackUpdate(conflict: EventPayload<'sync.conflict'>): TaskUpdateParams | undefined {
  if (conflict.id === '*' || !conflict.fields.every((f) => f !== '*' && Object.prototype.hasOwnProperty.call(conflict.ours, f))) return undefined;
  return { tag: conflict.tag, id: conflict.id, changes: Object.fromEntries(conflict.fields.map((f) => [f, conflict.ours[f]])) };
}
