import * as z from 'zod';
import { events, type TaskChange } from './events.js';
import { ServedTasksFileSchema } from './tag-problems.js';
import { TagDataSchema } from './task.js';

/**
 * Team sync's wire format: what one sync server writes to the team's
 * PostgreSQL log and every other one reads back. Declared here, once, so the
 * writer and the readers validate the same shape (`@taskmaster/team`).
 */

/** A team project's name: what the database knows a project by (no task text). */
export const TeamProjectNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a team project name is 1–100 letters, digits, ".", "_" or "-", starting with a letter or digit');

/**
 * `team` in `.taskmaster/config/sync.json`: the PostgreSQL URL (its password, if
 * any, makes sync.json a secret: `taskmaster team join` writes it with mode
 * 0600), the team project, and the file holding the team passphrase that
 * turns on end-to-end encryption.
 */
export const TeamConfigSchema = z
  .object({
    url: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL'),
    project: TeamProjectNameSchema,
    passphraseFile: z.string().min(1).optional(),
  })
  .strict();
export type TeamConfig = z.output<typeof TeamConfigSchema>;

/** A task event as it travels between servers: without the revision, which is each server's own. */
const withoutRevision = { revision: true } as const;
export const TaskChangeSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('task.created'), payload: events['task.created'].omit(withoutRevision) }),
  z.object({ event: z.literal('task.updated'), payload: events['task.updated'].omit(withoutRevision) }),
  z.object({ event: z.literal('task.deleted'), payload: events['task.deleted'].omit(withoutRevision) }),
  z.object({ event: z.literal('task.status.changed'), payload: events['task.status.changed'].omit(withoutRevision) }),
  z.object({ event: z.literal('task.moved'), payload: events['task.moved'].omit(withoutRevision) }),
]) satisfies z.ZodType<TaskChange>;

/**
 * One task-level operation with the version of the item it was made from:
 * `base` is the task (or subtask) before a `task.updated`, so a reader merges
 * only the fields that changed (`mergeTask`) instead of the whole task, or
 * before a `task.deleted`, so a reader knows whether the delete saw the
 * version it holds. Members of earlier versions ignore a delete's.
 */
export const TeamTaskOpSchema = z.object({
  change: TaskChangeSchema,
  base: z.record(z.string(), z.unknown()).optional(),
});
export type TeamTaskOp = z.output<typeof TeamTaskOpSchema>;

/**
 * A tag added or deleted: what task events cannot say (a tag added empty, a
 * tag deleted or renamed, which leaves the old name empty). `fields` are the
 * added tag's fields but its tasks (its metadata), which come by their own
 * task events; a deleted tag goes with any tasks it still holds.
 */
export const TeamTagOpSchema = z.union([
  z.object({ tagAdded: z.string().min(1), fields: TagDataSchema.omit({ tasks: true }).optional() }).strict(),
  z.object({ tagDeleted: z.string().min(1) }).strict(),
]);
export type TeamTagOp = z.output<typeof TeamTagOpSchema>;

/** One operation of a local version: a task's or a tag's. */
export const TeamOpSchema = z.union([TeamTaskOpSchema, TeamTagOpSchema]);
export type TeamOp = z.output<typeof TeamOpSchema>;

/**
 * The payload of one row of the change log: the operations of one local
 * version of the file. Tag operations travel beside the task operations, not
 * among them, so that a member running an earlier version (whose reader
 * knows task operations only, and drops fields it does not know) still reads
 * every row; it misses only the tag changes, as it always did. Readers apply
 * a version's added tags first, then its task operations, then its deleted
 * tags (a rename: the new name, the tasks moved, the old name gone).
 */
export const TeamChangePayloadSchema = z.object({ v: z.literal(1), ops: z.array(TeamTaskOpSchema), tags: z.array(TeamTagOpSchema).optional() });
export type TeamChangePayload = z.output<typeof TeamChangePayloadSchema>;

/**
 * The payload of a snapshot row: the whole file at a sequence number. Its
 * tags are valid, or broken as earlier servers stored them (they shared a tag
 * that was broken on disk); members leave such a tag out when they read it.
 */
export const TeamSnapshotPayloadSchema = z.object({ v: z.literal(1), data: ServedTasksFileSchema });

/** Team state in `sync.status` and `taskmaster team status`. */
export const TeamStatusSchema = z.object({
  project: z.string(),
  /** True while the database answers. */
  connected: z.boolean(),
  encrypted: z.boolean(),
  /** The last sequence number of the team log this server has applied. */
  lastSeq: z.number().int().nonnegative(),
  /** The newest sequence number this server knows the log to hold. */
  headSeq: z.number().int().nonnegative(),
  /** Local changes not yet in the log. */
  outbox: z.number().int().nonnegative(),
  /** Age of the oldest local change not yet in the log (ms); 0 when the outbox is empty. */
  lagMs: z.number().nonnegative(),
  /** Why the database is not reachable, in words without secrets. */
  error: z.string().optional(),
});
export type TeamStatus = z.output<typeof TeamStatusSchema>;

/**
 * Rows as the team database returns them (node-postgres gives bigint as a
 * string and bytea as a Buffer); validated on the way in, since another
 * server — of another version, or not ours at all — may have written them.
 */
const seqColumn = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number);
const bytesColumn = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');

export const TeamProjectRowSchema = z.object({
  id: seqColumn,
  name: z.string(),
  last_seq: seqColumn,
  kdf_salt: bytesColumn.nullable(),
  key_check: bytesColumn.nullable(),
});
export type TeamProjectRow = z.output<typeof TeamProjectRowSchema>;

export const TeamChangeRowSchema = z.object({
  seq: seqColumn,
  change_id: z.string().uuid(),
  payload: bytesColumn,
});
export type TeamChangeRow = z.output<typeof TeamChangeRowSchema>;

export const TeamSnapshotRowSchema = z.object({ seq: seqColumn, payload: bytesColumn });
export type TeamSnapshotRow = z.output<typeof TeamSnapshotRowSchema>;
