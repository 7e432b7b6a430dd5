import type { FileIdentity } from './file-identity.js';
import type { SyncConfig, TagProblem, Task, TaskChange, TaskId, TaskInput, TasksFile } from '@taskmaster/protocol';
import type { SnapshotInfo } from './history.js';
import type { OverriddenNotices } from './overridden-notices.js';
import type { DraftedChange } from './draft-change.js';
import type { StagedFrom, StagedWrite } from './staged-write.js';
import type { StorePaths } from './paths.js';
import type { SyncLogEntry } from './sync-log.js';
import type { DEFAULT_MAX_FIELD_BYTES } from './field-limits.js';

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** Who writes, for the log (e.g. 'server', 'cli'). */
  actor?: string;
  /** How long a write waits for the tasks.json lock before failing with 1005 (default 10 s). */
  lockTimeoutMs?: number;
  /** Age after which a lock is presumed left by a dead process and taken over (default 10 s, minimum 2 s). */
  lockStaleMs?: number;
  /**
   * tasks.json files bigger than this are refused with 1005, never rewritten
   * (default 64 MB); a transaction that would make the file bigger is refused
   * with -32602 before anything is written, so the store never writes what it could not read.
   */
  maxBytes?: number;
  /** A created or updated task (or subtask) with a string over this many bytes is refused with -32602 (default {@link DEFAULT_MAX_FIELD_BYTES}, 1 MB). */
  maxFieldBytes?: number;
  /**
   * How long a missing tasks.json is waited for (default 1000 ms): it is
   * usually being replaced (git checkout, an editor that deletes then
   * writes). If a file this store has read or written stays missing, reads
   * and writes fail with 1005 instead of starting from an empty file.
   */
  missingWaitMs?: number;
  /**
   * How many bytes of encoded tasks (default 32 MB) are kept in memory
   * between writes, so a write encodes only the tasks that changed and
   * writes the others' bytes as they are. A file larger than that has that
   * much of it cached and encodes the rest on every write: CPU instead of
   * memory. A file of 4 MB or more keeps none once written: its unchanged
   * tasks are copied from the file in place (see TasksFileSerializer).
   */
  cacheBytes?: number;
  /**
   * Snapshots of writes that follow each other less than this many ms apart
   * are compressed only once the writes pause (default 0: each right after
   * its write, as a one-off command needs). A server writing streams of
   * updates sets it; until then a snapshot takes its plain size in history.
   */
  historyQuietMs?: number;
}

/** A version of tasks.json known by content: its validated data, sha256, size, final newline and broken tags. */
export interface KnownVersion {
  data: TasksFile;
  hash: string;
  bytes: number;
  trailingNewline: boolean;
  /** Its tags that did not validate, left in `data` as they are (see {@link ReadResult.brokenTags}). */
  brokenTags?: readonly TagProblem[];
}

/** tasks.json as read: validated data (frozen, shared by every reader), its sha256 and size. */
export interface ReadResult {
  data: TasksFile;
  hash: string;
  bytes: number;
  /**
   * Tags that did not validate (a task with a null title…), one problem each:
   * left in `data` as they are, so writes to other tags keep them; reading them
   * through `list`/`get` is refused. Empty or absent when the file is valid.
   */
  brokenTags?: TagProblem[];
}

/** The outcome of a transaction: `fn`'s value, the data after it, and what changed. */
export interface TransactResult<T> {
  /** What `fn` returned, with drafts replaced by plain copies. */
  value: T;
  /** The file's data now: frozen, sharing every object the transaction did not change with the version before. */
  data: TasksFile;
  /** sha256 of the file as it now is on disk. */
  hash: string;
  /** sha256 of the file the transaction read (and `changes` start from); undefined when there was none. */
  previousHash: string | undefined;
  written: boolean;
  /** `diffTasksFiles(before, after)`: the task events this write makes. */
  changes: TaskChange[];
  /** The history snapshot keeping the file this write replaced (`history.read`); none when nothing was written or there was no file. */
  snapshot?: string | undefined;
}

/** The outcome of {@link WriteSession.validate}: the new version, validated and diffed, not yet written. */
export interface Validated<T> {
  /** False when `fn` changed nothing (then there is nothing to write). */
  changed: boolean;
  /** What `fn` returned, with drafts replaced by plain copies. */
  value: T;
  /** The new version (frozen, sharing every untouched object with the old one). */
  data: TasksFile;
  /** `diffTasksFiles(old, new)`. */
  changes: TaskChange[];
  /** sha256 of the version read; undefined when there was no file. */
  previousHash: string | undefined;
  /** The result to report when nothing ends up written. */
  unchanged: TransactResult<T>;
}

/** The outcome of {@link WriteSession.write}: the new bytes are in a temp file, not yet in place. */
export interface Written {
  /** The bytes came out the same as the file's: nothing will be written. */
  sameBytes: boolean;
  /** sha256 of the bytes the file will hold. */
  hash: string;
  /** Their size. */
  bytes: number;
  /** The data as a reader of the file will see it (the validated data, unless it held values JSON changes). */
  data: TasksFile;
  /** The task events from the version read to `data`. */
  changes: TaskChange[];
  /**
   * The new file's identity as written (its ctime aside, which the rename
   * moves): a watcher that finds these device, inode, size and mtime at the
   * path knows the write for ours without hashing it. Undefined with `sameBytes`.
   */
  identity?: FileIdentity;
}

/**
 * One write of tasks.json as named steps, holding the lock from
 * {@link Store.begin} until {@link end} or {@link fail}: validated → written
 * (hash known) → durable. A caller acts between the steps — the server
 * announces a change once validated and tells clients the file holds it once
 * durable — instead of being called back from inside the store.
 */
export interface WriteSession {
  /** The file as read under the lock. */
  readonly current: { data: TasksFile; hash: string; bytes: number; exists: boolean };
  /** Runs `fn` (synchronous) on a copy-on-write draft; validates and diffs the result. Throws on invalid data, oversized fields, a read-only file. */
  validate<T>(fn: (data: TasksFile) => T): Promise<Validated<T>>;
  /** Serialises the validated version to a temp file beside tasks.json (one size limit for reads and writes). */
  write(): Promise<Written>;
  /** Snapshots the old file to history, fsyncs the new one, renames it over tasks.json and fsyncs the folder; returns the snapshot's id (none when there was no file). */
  makeDurable(): Promise<string | undefined>;
  /** Ends the session: discards an unused temp file, releases the lock, logs the outcome; returns `result`. */
  end<R extends { changes: TaskChange[] }>(result: R): Promise<R>;
  /** Ends a failed session the same way (logging its error code); returns `err` for the caller to throw. */
  fail(err: unknown): Promise<unknown>;
}

/** Options of {@link Store.transact}. */
export interface TransactOptions {
  /** The operation name recorded in the log (default `transact`). */
  reason?: string;
  /** Overrides the store's actor in the log. */
  actor?: string;
  /** Write (and snapshot) even if nothing changed. */
  force?: boolean;
  /**
   * The sha256 of the version `fn` is meant for. When the file holds other
   * bytes (another writer got there first), nothing is written and the
   * transaction rejects with a {@link StaleVersionError}: the caller looks at
   * the new version first (the server rebases outside writes) and tries again.
   */
  expectHash?: string;
  /**
   * Tags broken in the file may stay broken, changed: for the merge of
   * another writer's version, which may have broken a tag we changed meanwhile
   * (see DraftRules.brokenTagsStay). Every other tag is validated as ever.
   */
  brokenTagsStay?: boolean;
}

/** Shared access to one project's `.taskmaster/` folder. */
export interface Store {
  readonly root: string;
  readonly paths: StorePaths;
  /** `config/sync.json` validated, defaults filled in. */
  readonly config: SyncConfig;
  /** Task Master's current tag (`state.json`), `master` by default. */
  currentTag(): Promise<string>;
  /**
   * tasks.json, validated; an empty file when it does not exist yet (in a
   * new project). A file this store has seen that goes missing is waited for,
   * then refused with 1005.
   */
  read(): Promise<ReadResult>;
  /**
   * Locked read-modify-write. `fn` mutates `data`, a copy-on-write draft of
   * the file, or throws (then nothing is written). No write if the bytes would
   * not change. The previous file is snapshotted to history before writing.
   * `fn` must be synchronous, and drafts it lets escape other than through its
   * return value must go through {@link detached}.
   */
  transact<T>(fn: (data: TasksFile) => T, options?: TransactOptions): Promise<TransactResult<T>>;
  /**
   * {@link transact} as steps the caller drives (see {@link WriteSession}):
   * takes the lock and reads the file. Rejects with a StaleVersionError when
   * `expectHash` is given and the file holds other bytes. Every session must
   * end with `end` or `fail`.
   */
  begin(options?: TransactOptions): Promise<WriteSession>;
  /**
   * The first half of a pipelined write: runs `fn` on a copy-on-write draft
   * of `before` (any version, e.g. one announced but not yet written) and
   * validates and diffs the result, touching no file. Throws -32602 for an
   * invalid result or an oversized field.
   */
  draft<T>(before: TasksFile, fn: (data: TasksFile) => T): DraftedChange<T>;
  /**
   * The broken tags of `data`, a version this store read, learned, drafted or
   * wrote: a write must leave each of them valid or untouched, and reads of
   * them are refused ({@link runReadOp}). None for a version it never saw.
   */
  brokenTags(data: TasksFile): readonly TagProblem[];
  /**
   * The second half: serialises `data` to a temp file beside tasks.json and
   * fsyncs it, without the lock; {@link StagedWrite.place} then puts it in
   * place if the file still holds `from.base`. Undefined when the bytes come
   * out as the base's (nothing to write). Throws 1005 for a read-only file,
   * -32602 for a file over the size limit.
   */
  stage(data: TasksFile, from: StagedFrom): Promise<StagedWrite | undefined>;
  /** Top-level tasks of a tag (current tag by default), optionally by status; empty for an unknown tag. */
  list(options?: { tag?: string; status?: string | string[] }): Promise<{ tag: string; tasks: Task[] }>;
  get(id: TaskId, options?: { tag?: string }): Promise<{ tag: string; id: string; task: Task }>;
  create(input: TaskInput, options?: { tag?: string; parentId?: TaskId }): Promise<TransactResult<{ tag: string; id: string; task: Task }>>;
  update(
    id: TaskId,
    changes: Record<string, unknown>,
    options?: { tag?: string },
  ): Promise<TransactResult<{ tag: string; id: string; task: Task; changed: string[] }>>;
  setStatus(
    ids: TaskId[],
    status: string,
    options?: { tag?: string },
  ): Promise<TransactResult<{ tag: string; tasks: { id: string; from?: string; to: string }[] }>>;
  remove(id: TaskId, options?: { tag?: string }): Promise<TransactResult<{ tag: string; id: string; removedFrom: string[] }>>;
  history: {
    /** Snapshots, newest first. */
    list(): Promise<SnapshotInfo[]>;
    /** Replaces tasks.json with a snapshot (itself snapshotted first, so a restore can be undone). */
    restore(id: string): Promise<TransactResult<{ restored: string }>>;
    /** Saves `data` as a snapshot (a version that never reached the file as it is, e.g. one a merge overrode); returns its id. */
    save(data: TasksFile): Promise<string | undefined>;
  };
  /** The changes another program wrote over that the last server kept as standing (`tasks/history/overridden.json`). */
  readonly overridden: OverriddenNotices;
  /**
   * Hands the store a version of tasks.json read and validated elsewhere (the
   * watcher's read of an outside write), so the store's next read of the same
   * bytes (checked by hash) parses and validates nothing again. `data` is frozen (once the calling turn ends).
   */
  learn(version: KnownVersion): void;
  /** Appends a line to `logs/sync.log`; never throws. */
  log(entry: SyncLogEntry): Promise<void>;
}
