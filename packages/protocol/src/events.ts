import * as z from 'zod';
import { ServedTasksFileSchema } from './tag-problems.js';
import { TaskSchema } from './task.js';

/**
 * The event table: every event the server broadcasts, name → payload schema.
 * Task events carry the tag, the id (`"5"` or `"5.2"` for a subtask) and the
 * server revision at which the change was committed.
 */

const taskEventBase = {
  tag: z.string(),
  id: z.string(),
  /** Set for subtask events: the id of the parent task. */
  parentId: z.string().optional(),
  revision: z.number().int().nonnegative(),
};

/**
 * The revision of a notice about the file (`file.missing`, `file.invalid`,
 * `sync.conflict`, `sync.conflict.dismissed`): its place in the change log, so a client that polls, or
 * comes back after a disconnect, gets it among the changes it missed. A
 * server from before notices were logged sends none; its notices are still
 * taken (live only).
 */
const noticeRevision = z.number().int().nonnegative().optional();

export const events = {
  'task.created': z.object({ ...taskEventBase, task: TaskSchema }),
  'task.updated': z.object({
    ...taskEventBase,
    task: TaskSchema,
    /** The top-level fields whose values changed. */
    changed: z.array(z.string()),
  }),
  /**
   * A `task.updated` in the form a connection that subscribed with
   * `patches: true` gets it instead: what changed, not the whole task. `set`
   * holds the new values of the changed fields, `unset` the fields the item
   * no longer has; every other field stays as it was. A task's subtasks are
   * never in it (they change by their own events). A few hundred bytes
   * instead of the whole task (its subtasks included) to every client, for
   * the most frequent event. Never in the change log or a pull, which keep
   * `task.updated`; `expandTaskPatch` turns it back into one.
   */
  'task.patched': z.object({
    ...taskEventBase,
    set: z.record(z.string(), z.unknown()),
    unset: z.array(z.string()),
  }),
  'task.deleted': z.object({ ...taskEventBase }),
  'task.status.changed': z.object({
    ...taskEventBase,
    from: z.string().optional(),
    to: z.string(),
  }),
  /**
   * A task or subtask changed place: reordered within its list, moved to
   * another parent, promoted from subtask to task or demoted from task to
   * subtask. `id`/`parentId` name the item after the move, as in every task
   * event; `from.id` is its id before the move, set only when it differs
   * (a subtask moved to another parent is renumbered by Task Master, `"5.2"`
   * → `"7.3"`). A list is a tag's top-level tasks (`parentId` absent) or one
   * task's subtasks (`parentId` set). Indexes are positions in those lists
   * as a replica holds them when it applies this event, events of one change
   * applied in order: `from.index` before the item is taken out, `to.index`
   * after it is put in (the item then sits at `to.index`). A moved item
   * carries its subtasks along; if its fields changed too, a `task.updated`
   * (and `task.status.changed`) for its new id follows. A new task that is
   * not last in its list comes as `task.created` (which appends) followed by
   * a `task.moved` to its place. See `diffTasksFiles` for the full order.
   */
  'task.moved': z.object({
    ...taskEventBase,
    from: z.object({
      /** The parent before the move; absent when the item was a top-level task. */
      parentId: z.string().optional(),
      index: z.number().int().nonnegative(),
      /** The id before the move (`"5.2"`), when it differs from `id`. */
      id: z.string().optional(),
    }),
    to: z.object({
      /** The parent after the move (same as the event's `parentId`); absent for a top-level task. */
      parentId: z.string().optional(),
      index: z.number().int().nonnegative(),
    }),
  }),
  'sync.connected': z.object({
    clientId: z.string(),
    client: z.string().optional(),
    connections: z.number().int().nonnegative(),
    revision: z.number().int().nonnegative(),
  }),
  'sync.disconnected': z.object({
    clientId: z.string(),
    client: z.string().optional(),
    reason: z.string().optional(),
    connections: z.number().int().nonnegative(),
  }),
  /** The tasks file now holds this version (task events of the server's own changes may come earlier). */
  'file.changed': z.object({
    /** Path relative to the project root, e.g. `.taskmaster/tasks/tasks.json`. */
    path: z.string(),
    /** `external`: a writer that is not this server; `server`: a write the server made. */
    source: z.enum(['external', 'server']),
    revision: z.number().int().nonnegative(),
    hash: z.string().optional(),
    /**
     * The file's tags, in file order, when this version changed them (a tag
     * added, deleted, renamed or copied): task events cannot say that a tag
     * went, nor that an empty one came. A replica makes its tags these
     * (`applyTagNames`).
     */
    tags: z.array(z.string()).optional(),
  }),
  /** A full copy of the file, sent on `sync --force` so every replica starts afresh. */
  'sync.snapshot': z.object({
    epoch: z.string(),
    revision: z.number().int().nonnegative(),
    data: ServedTasksFileSchema,
  }),
  /** Sent before the server closes every connection (error code 1007). */
  'sync.shutdown': z.object({ code: z.literal(1007), message: z.string() }),
  /**
   * tasks.json is gone (deleted, or being replaced for longer than a moment):
   * the last good state is kept, no task events are sent for the absence, and
   * writes are refused (1005) until it is back.
   */
  'file.missing': z.object({ path: z.string(), message: z.string(), revision: noticeRevision }),
  /**
   * An outside writer (Task Master, an editor, git) wrote a version made from
   * a stale read: the server merged it with the changes it had not seen, and
   * on these fields of one task both sides had changed — the outside writer's
   * value was kept (it wrote last). `ours` holds what was overridden; the
   * version before the merge is in history (`snapshot`).
   */
  'sync.conflict': z.object({
    tag: z.string(),
    /** `"5"` or `"5.2"`. */
    id: z.string(),
    /** The fields both sides changed; `*` when one side deleted the task the other changed. */
    fields: z.array(z.string()),
    ours: z.record(z.string(), z.unknown()),
    theirs: z.record(z.string(), z.unknown()),
    /** The history snapshot holding our version, to restore it with `history.restore`. */
    snapshot: z.string().optional(),
    revision: noticeRevision,
  }),
  /**
   * A `sync.conflict` that stood, dismissed (`overridden.dismiss`): someone
   * keeps the value the other program wrote, so every client drops the
   * notice named `notice` (its `overriddenNoticeId`) for the task `tag`/`id`.
   * The file did not change.
   */
  'sync.conflict.dismissed': z.object({ tag: z.string(), id: z.string(), notice: z.string(), revision: noticeRevision }),
  /**
   * A tasks file the server could not read: the last good state is kept. With
   * `tag`, the file was read but that one tag of it is not valid (a task with a
   * null title): it is kept as it is and sends no task events until it is
   * fixed, reads of it are refused, and a write to it must make it valid. The
   * other tags stay live.
   */
  'file.invalid': z.object({
    path: z.string(),
    message: z.string(),
    tag: z.string().optional(),
    line: z.number().int().optional(),
    column: z.number().int().optional(),
    revision: noticeRevision,
  }),
  /**
   * Task Master's current tag (`.taskmaster/state.json`) is now `current`:
   * switched by `tag.use`, by a rename of the current tag (here or, with team
   * sync, on another machine), or by another program (`task-master use-tag`).
   * The file did not change. Clients showing "the current tag" follow it.
   */
  'tag.current.changed': z.object({ current: z.string(), previous: z.string(), revision: noticeRevision }),
} as const;

export type EventTable = typeof events;
export type EventName = keyof EventTable;
export type EventPayload<E extends EventName> = z.output<EventTable[E]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];

/** One event as it travels: its name and payload. */
export type AnyEvent = { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName];

/** True when `name` is an event of the table (names from the wire are plain strings). */
export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}

/** The task events: what a diff of two files produces and what `applyTaskChange` applies. */
export const TASK_EVENT_NAMES = ['task.created', 'task.updated', 'task.deleted', 'task.status.changed', 'task.moved'] as const;

/** Names of the task events that a diff of two files produces. */
export type TaskEventName = (typeof TASK_EVENT_NAMES)[number];

/** True for the task events (`task.created` … `task.moved`). */
export function isTaskEventName(name: string): name is TaskEventName {
  return (TASK_EVENT_NAMES as readonly string[]).includes(name);
}

/**
 * The events the server's change log keeps, each with its revision: what a
 * client that polls, or resyncs after a disconnect, pulls (`sync.pull`).
 * `task.patched` is a `task.updated` in short form. The others (connections,
 * snapshots, shutdown) are for those connected at the time.
 */
export const LOGGED_EVENT_NAMES = [...TASK_EVENT_NAMES, 'task.patched', 'file.changed', 'file.missing', 'file.invalid', 'sync.conflict', 'sync.conflict.dismissed', 'tag.current.changed'] as const satisfies readonly EventName[];

export type LoggedEventName = (typeof LOGGED_EVENT_NAMES)[number];

/** True for an event the change log keeps (see {@link LOGGED_EVENT_NAMES}). */
export function isLoggedEventName(name: string): name is LoggedEventName {
  return (LOGGED_EVENT_NAMES as readonly string[]).includes(name);
}

/** A task event before the server has given it a revision. */
export type TaskChange = {
  [E in TaskEventName]: { event: E; payload: Omit<EventPayload<E>, 'revision'> };
}[TaskEventName];

/** Patterns one connection may hold: every event is matched against each of them. */
export const MAX_SUBSCRIPTIONS = 64;
/** Longest event pattern accepted; event names are far shorter. */
export const MAX_EVENT_PATTERN_LENGTH = 128;

/** An event name or a pattern: `*` (everything) or a prefix ending in `.*` (`task.*`). */
export const EventPatternSchema = z
  .string()
  .max(MAX_EVENT_PATTERN_LENGTH, `an event pattern holds at most ${MAX_EVENT_PATTERN_LENGTH} characters`)
  .regex(/^(\*|[a-z]+(\.[a-z]+)*(\.\*)?)$/, 'expected an event name, "*" or a pattern like "task.*"');

/** A list of event patterns; its length is checked before any pattern is, so a huge list costs nothing. */
export const EventPatternListSchema = z
  .array(z.unknown())
  .max(MAX_SUBSCRIPTIONS, `a connection holds at most ${MAX_SUBSCRIPTIONS} event patterns; use "*" or "task.*" instead of many names`)
  .pipe(z.array(EventPatternSchema));

/** True when `name` matches `pattern` (`*`, `task.*`, or an exact name). */
export function matchesEventPattern(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}
