import { z } from 'zod';
import { TaskSchema, TasksFileSchema } from './task.js';

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

export const events = {
  'task.created': z.object({ ...taskEventBase, task: TaskSchema }),
  'task.updated': z.object({
    ...taskEventBase,
    task: TaskSchema,
    /** The top-level fields whose values changed. */
    changed: z.array(z.string()),
  }),
  'task.deleted': z.object({ ...taskEventBase }),
  'task.status.changed': z.object({
    ...taskEventBase,
    from: z.string().optional(),
    to: z.string(),
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
  }),
  /** A full copy of the file, sent on `sync --force` so every replica starts afresh. */
  'sync.snapshot': z.object({
    epoch: z.string(),
    revision: z.number().int().nonnegative(),
    data: TasksFileSchema,
  }),
  /** Sent before the server closes every connection (error code 1007). */
  'sync.shutdown': z.object({ code: z.literal(1007), message: z.string() }),
  /**
   * tasks.json is gone (deleted, or being replaced for longer than a moment):
   * the last good state is kept, no task events are sent for the absence, and
   * writes are refused (1005) until it is back.
   */
  'file.missing': z.object({ path: z.string(), message: z.string() }),
  /** A tasks file the server could not read: the last good state is kept. */
  'file.invalid': z.object({
    path: z.string(),
    message: z.string(),
    line: z.number().int().optional(),
    column: z.number().int().optional(),
  }),
} as const;

export type EventTable = typeof events;
export type EventName = keyof EventTable;
export type EventPayload<E extends EventName> = z.output<EventTable[E]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];

/** One event as it travels: its name and payload. */
export type AnyEvent = { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName];

/** Names of the task events that a diff of two files produces. */
export type TaskEventName = 'task.created' | 'task.updated' | 'task.deleted' | 'task.status.changed';

/** A task event before the server has given it a revision. */
export type TaskChange = {
  [E in TaskEventName]: { event: E; payload: Omit<EventPayload<E>, 'revision'> };
}[TaskEventName];

/** An event name or a pattern: `*` (everything) or a prefix ending in `.*` (`task.*`). */
export const EventPatternSchema = z
  .string()
  .regex(/^(\*|[a-z]+(\.[a-z]+)*(\.\*)?)$/, 'expected an event name, "*" or a pattern like "task.*"');

/** True when `name` matches `pattern` (`*`, `task.*`, or an exact name). */
export function matchesEventPattern(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}
