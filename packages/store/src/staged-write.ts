import { ErrorCode, TaskmasterError, type TaskChange, type TasksFile } from '@taskmaster/protocol';
import type { PendingWrite } from './durable-write.js';
import { StaleVersionError } from './errors.js';
import type { FileIdentity } from './file-identity.js';
import { aboutChange, type SnapshotAbout } from './history.js';
import type { SyncLog } from './sync-log.js';
import type { LoadedTasksFile } from './tasks-file.js';
import type { HeldLock } from './tasks-lock.js';

/** What a staged write needs of the store that made it. */
export interface StagingHost {
  readonly syncLog: SyncLog;
  enterLock(): Promise<{ lock: HeldLock; leave: () => void }>;
  leaveLock(held: { lock: HeldLock; leave: () => void }): Promise<void>;
  /** tasks.json as it is now, under the lock (waiting a moment for a missing one). */
  loadUnderLock(): Promise<LoadedTasksFile>;
  /** Keeps the old file as a snapshot and renames the synced temp file over it; returns what makes that durable. */
  replaceFile(lock: HeldLock, current: LoadedTasksFile, pending: PendingWrite, data: TasksFile, about: SnapshotAbout): Promise<{ durable(): Promise<void> }>;
}

/** What {@link StagedWrite.place} reports: when it took (from the first attempt) and let go of the lock (performance.now() ms), for the lock's fair share. */
export interface Placed {
  lockHeld: [start: number, end: number];
}

/** What a staged write is made from and of, for its proof and its log line. */
export interface StagedFrom {
  /** sha256 of the version the data was made from (the file's, as last written or read; a missing file reads as no bytes). */
  base: string;
  /** The operation and who made it, for the log and the snapshot. */
  reason: string;
  actor: string | undefined;
  /** The task events from the base to the data (their ids go to the log). */
  changes: readonly TaskChange[];
}

/**
 * A new version of tasks.json whose bytes are already on disk — written and
 * fsynced to a temp file beside it, without the lock — and only wait to be
 * put in place. {@link place} takes Task Master's lock just for the proof
 * that the file still holds the base version (one fstat), the snapshot link
 * and the rename; the folder fsync that makes the rename durable follows
 * outside it. So the lock is held for a millisecond or two whatever the
 * file's size, and the server can draft and announce its next change while
 * this one reaches the disk.
 */
export class StagedWrite {
  private settled = false;

  constructor(
    private readonly host: StagingHost,
    private readonly pending: PendingWrite,
    /** The data as a reader of the file will see it. */
    readonly data: TasksFile,
    private readonly from: StagedFrom,
    /** The new file's identity as written (see {@link Written.identity}): how the watcher knows it for ours. */
    readonly identity: FileIdentity,
  ) {}

  /** sha256 of the bytes the file will hold. */
  get hash(): string {
    return this.pending.hash;
  }

  get bytes(): number {
    return this.pending.bytes;
  }

  /**
   * Puts the new version in place if tasks.json still holds the base
   * version, then makes the rename durable. Throws {@link StaleVersionError}
   * when another writer got there first (nothing replaced, the temp file
   * gone): the caller adopts that version and writes again.
   */
  async place(): Promise<Placed> {
    if (this.settled) throw new Error('a staged write is placed once');
    this.settled = true;
    const started = performance.now();
    let held: { lock: HeldLock; leave: () => void } | undefined;
    let replaced: { durable(): Promise<void> };
    let lockHeld: [number, number];
    try {
      // Counted from the attempt: to another process the lock is ours from its mkdir, owner record included.
      const lockStart = performance.now();
      held = await this.host.enterLock();
      try {
        const current = await this.host.loadUnderLock();
        // A missing file reads as no bytes, the base of a first write.
        if (current.hash !== this.from.base) throw new StaleVersionError();
        replaced = await this.host.replaceFile(held.lock, current, this.pending, this.data, aboutChange(this.from.reason, this.from.actor, this.from.changes));
      } finally {
        await this.host.leaveLock(held);
        lockHeld = [lockStart, performance.now()];
      }
      await replaced.durable();
    } catch (err) {
      await this.pending.discard();
      await this.host.syncLog.append({ op: this.from.reason, actor: this.from.actor, ms: performance.now() - started, ok: false, code: err instanceof TaskmasterError ? err.code : ErrorCode.InternalError });
      throw err;
    }
    const ids = [...new Set(this.from.changes.map((c) => c.payload.id))];
    await this.host.syncLog.append({ op: this.from.reason, actor: this.from.actor, ids, tag: this.from.changes[0]?.payload.tag, ms: performance.now() - started, ok: true });
    return { lockHeld };
  }
}
