import type { TagProblem, TaskChange, TasksFile } from '@taskmaster/protocol';
import type { WrittenIdentity } from './own-writes.js';

/** Tuning for {@link watchTasks}. */
export interface WatchOptions {
  /** Debounce window in ms; default 30 (well under 100). */
  debounceMs?: number;
  /** The state to diff the first change against; default: read at start. */
  initial?: { data: TasksFile; hash: string; bytes?: number };
  /** How long to wait for a half-written/invalid file to become valid before reporting it once; default 250 ms. */
  settleMs?: number;
}

/**
 * A new good state of tasks.json written by someone else.
 *
 * `changes` may be empty: the bytes changed but no task did (metadata,
 * formatting, key order). Consumers still announce it as `file.changed`.
 */
export interface TasksFileChange {
  /** Task events (protocol's diffTasksFiles) from the last good state to the new one, none for a broken tag. */
  changes: TaskChange[];
  /** Tags of `data` that did not validate (a task with a null title…), one problem each: kept as they are and left out of `changes`. */
  brokenTags: readonly TagProblem[];
  /** The new good state (validated tag by tag with protocol's parseTasksFileTextByTag: but for `brokenTags`, valid). */
  data: TasksFile;
  /** sha256 hex of the file bytes. */
  hash: string;
  /** sha256 of the last good state `changes` start from (undefined for the first read). */
  previousHash: string | undefined;
  /** Size of the file in bytes. */
  bytes: number;
  /** Whether the file ends with a newline (a rewrite keeps it). */
  trailingNewline: boolean;
  /** Absolute path of tasks.json. */
  path: string;
}

/**
 * Why the file on disk cannot be used; the last good state is kept.
 * `code` is a protocol ErrorCode: -32700 not JSON, -32602 not a tasks file,
 * 1005 missing or unreadable.
 */
export interface TasksFileProblem {
  path: string;
  message: string;
  line?: number;
  column?: number;
  code: number;
  /** Set when the file does not exist (deleted, or mid-replace for longer than `settleMs`). */
  missing?: boolean;
}

/** A running watch of one tasks.json. */
export interface TasksWatcher {
  /** Resolves when chokidar is ready and the initial state is loaded. */
  ready: Promise<void>;
  /** The last good state seen. */
  current(): { data: TasksFile; hash: string } | undefined;
  /**
   * Tell the watcher about a write we made ourselves (called BEFORE the rename lands): when the file's
   * bytes hash to `hash`, emit nothing and take `data` as the new baseline. With `bytes` (the file's
   * size), a file of another size is known not to be it and is read at once instead of hashed first.
   * With `identity` (as the writer saw its file), a file showing it is known to be the write without
   * being read at all.
   */
  noteOwnWrite(hash: string, data: TasksFile, bytes?: number, identity?: WrittenIdentity): void;
  /** Re-read now, bypassing debounce (for `taskmaster sync`); resolves with the change emitted (or null if nothing changed). */
  rescan(): Promise<TasksFileChange | null>;
  /** Stops watching; no timers or file handles are left behind. */
  close(): Promise<void>;
}

/** {@link WatchOptions} plus where to report files that cannot be used, and their return. */
export type WatchTasksOptions = WatchOptions & {
  onProblem?: (p: TasksFileProblem) => void;
  /**
   * After a problem was reported, the file holds the last good state again
   * (put back as it was: no change to report). Without it, whoever showed the
   * problem would never learn it is over.
   */
  onRecovered?: () => void;
};
