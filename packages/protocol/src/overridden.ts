import * as z from 'zod';
import { jsonEqual } from './equal.js';
import { events, type EventPayload } from './events.js';
import { findTask } from './ids.js';
import type { TaskUpdateParams } from './methods.js';
import { ownValue } from './own-key.js';
import { WHOLE_ITEM } from './rebase.js';
import { findTag, type TasksFile } from './task.js';

/** A change another program wrote over, as the server announced it (`sync.conflict`): what the board, VS Code and `put-back` work from. */
export type OverriddenNotice = EventPayload<'sync.conflict'>;

/**
 * The server's file of the overridden changes still standing
 * (`tasks/history/overridden.json`), kept across its restarts.
 */
export const OverriddenNoticesFileSchema = z.object({ version: z.literal(1), notices: z.array(events['sync.conflict']) });

/**
 * What another program wrote over (a `sync.conflict`), as one sentence for
 * people: what was kept, and what it replaced or how to get it back. The
 * board's line and the CLI's `sync server status` say it the same way.
 */
export function overriddenText(c: OverriddenNotice): string {
  const restore = c.snapshot !== undefined ? ` 'taskmaster history restore ${c.snapshot}' brings back the version before.` : '';
  if (c.id === '*') return `Another program deleted tag ${c.tag} while it was being changed here; the delete was kept.${restore}`;
  if (c.fields.includes(WHOLE_ITEM)) {
    return ownValue(c.ours, WHOLE_ITEM) === undefined
      ? `Task ${c.id} was deleted here while another program changed it; its version was kept.`
      : `Another program deleted task ${c.id} while it was being changed here; the delete was kept.${restore}`;
  }
  const here = c.fields.map((f) => (ownValue(c.ours, f) !== undefined ? `${f} "${shortValue(ownValue(c.ours, f))}"` : `${f} removed`)).join(', ');
  return `Another program wrote over task ${c.id}'s ${c.fields.join(', ')}, changed here meanwhile; its ${c.fields.length > 1 ? 'values were' : 'value was'} kept. Here: ${here}.`;
}

/**
 * A name for one overridden change that outlives the server that announced
 * it (a restarted server announces the changes still standing again, with
 * revisions of its own): the task, the fields, the snapshot, and a hash of
 * both sides' values. `overridden.dismiss` and `sync.conflict.dismissed` name a notice by it.
 */
export function overriddenNoticeId(c: OverriddenNotice): string {
  return JSON.stringify([c.tag, c.id, c.fields, c.snapshot ?? null, textHash(JSON.stringify([c.ours, c.theirs]))]);
}

/**
 * What dismissing the notice named `notice` ({@link overriddenNoticeId}) leaves
 * of `notices`, and the notice it dropped (undefined when none is named so).
 * The server's `overridden.dismiss`, its no-server twin in the store, and the
 * board and VS Code on `sync.conflict.dismissed` all drop a notice this way.
 */
export function dismissNotice<T extends OverriddenNotice>(notices: readonly T[], notice: string): { dismissed: T | undefined; rest: T[] } {
  const at = notices.findIndex((c) => overriddenNoticeId(c) === notice);
  return at < 0 ? { dismissed: undefined, rest: [...notices] } : { dismissed: notices[at], rest: notices.filter((_, i) => i !== at) };
}

/** Two 32-bit FNV-1a lanes over `text`'s UTF-16 units: not cryptographic, it tells apart the notices of one tab. */
function textHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x811c9dc5 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}`;
}

/** A value as a sentence quotes it: text as is, anything else as JSON, at most 80 characters. */
function shortValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/**
 * The `task.update` that puts back what another program wrote over, from
 * its `sync.conflict`: the fields' values as they were here (`ours`).
 * Undefined when no update can: a task or tag one side deleted (`*`), or a
 * field removed here — those are mended from the history snapshot the
 * notice names.
 */
export function putBackUpdate(conflict: OverriddenNotice): TaskUpdateParams | undefined {
  if (conflict.id === '*' || !conflict.fields.every((f) => f !== '*' && Object.prototype.hasOwnProperty.call(conflict.ours, f))) return undefined;
  return { tag: conflict.tag, id: conflict.id, changes: Object.fromEntries(conflict.fields.map((f) => [f, conflict.ours[f]])) };
}

/**
 * Whether what another program wrote over still stands in `file`: the
 * task's fields still hold the values that replaced ours (`theirs`; a field
 * it left out still missing), a task or tag it deleted is still gone, a task
 * it kept that we deleted is still there. Once anyone puts the change back
 * or edits those fields again, the notice is over: the server lists only the
 * overridden changes that still stand (`sync.status`), and the board drops
 * the others.
 */
export function stillOverridden(conflict: OverriddenNotice, file: TasksFile): boolean {
  const tag = findTag(file, conflict.tag);
  if (conflict.id === '*') return tag === undefined;
  const found = tag ? findTask(tag, conflict.id) : undefined;
  // A value the server holds may be undefined where the wire's JSON has no key: both mean "none".
  if (conflict.fields.includes(WHOLE_ITEM)) return (found !== undefined) === (ownValue(conflict.theirs, WHOLE_ITEM) !== undefined);
  if (!found) return false;
  const task = found.task;
  return conflict.fields.every((f) => {
    const theirs = ownValue(conflict.theirs, f);
    const now = ownValue(task, f);
    return theirs === undefined ? now === undefined : jsonEqual(now, theirs);
  });
}

/**
 * `list` with `changes` added, as the server lists them (`sync.status`) and
 * the board and VS Code keep them: per task, the latest notice whose change
 * still stands in `file` (none given: each is taken), last in the list.
 */
export function withOverridden<T extends OverriddenNotice>(list: readonly T[], changes: Iterable<T>, file: TasksFile | undefined): T[] {
  const byTask = new Map(list.map((c) => [JSON.stringify([c.tag, c.id]), c] as const));
  for (const change of changes) {
    if (file && !stillOverridden(change, file)) continue;
    const key = JSON.stringify([change.tag, change.id]);
    byTask.delete(key);
    byTask.set(key, change);
  }
  return [...byTask.values()];
}
