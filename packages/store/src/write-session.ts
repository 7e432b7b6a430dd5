import { diffTasksFiles, ErrorCode, TaskmasterError, type TaskChange, type TasksFile } from '@taskmaster/protocol';
import { aboutChange, type SnapshotAbout } from './history.js';
import { draftChange } from './draft-change.js';
import { identityOf } from './file-identity.js';
import type { PendingWrite } from './durable-write.js';
import type { SyncLog } from './sync-log.js';
import type { HeldLock } from './tasks-lock.js';
import type { LoadedTasksFile } from './tasks-file.js';
import type { TransactOptions, TransactResult, Validated, WriteSession, Written } from './store-types.js';
import type { WriteTarget } from './write-target.js';

/** What a session needs of the store that opened it. */
export interface SessionHost {
  readonly maxFieldBytes: number;
  readonly syncLog: SyncLog;
  /** Where the file is written (a symlink's target), with its mode and owner; refuses a read-only file (1005). */
  writeTarget(): Promise<WriteTarget>;
  /** Serialises `data` into a temp file beside the file it will replace. */
  startWrite(target: WriteTarget, data: TasksFile, current: LoadedTasksFile): Promise<{ pending: PendingWrite; written: TasksFile }>;
  /** Snapshots the old file, then makes `pending` durable (fsync, rename, folder fsync). */
  makeDurable(lock: HeldLock, current: LoadedTasksFile, pending: PendingWrite, data: TasksFile, about?: SnapshotAbout): Promise<string | undefined>;
  leaveLock(held: { lock: HeldLock; leave: () => void }): Promise<void>;
  /** Step of the file system's timestamps (see file-identity.ts). */
  timestampGranularity(): Promise<bigint>;
}

/**
 * One write of tasks.json, step by step, holding the lock throughout. The
 * steps are the ones a caller may act between: the server announces the
 * change once it is validated, tells its watcher the hash once it is written,
 * and tells clients the file holds it once it is durable.
 */
export class FileWriteSession implements WriteSession {
  private draftResult: TasksFile | undefined;
  private target: WriteTarget | undefined;
  private validated: Validated<unknown> | undefined;
  private pending: PendingWrite | undefined;
  private writtenData: TasksFile | undefined;
  private ended = false;

  constructor(
    private readonly host: SessionHost,
    private readonly held: { lock: HeldLock; leave: () => void },
    private readonly file: LoadedTasksFile,
    private readonly options: TransactOptions,
    private readonly log: { op: string; actor: string | undefined; started: number },
  ) {}

  get current(): { data: TasksFile; hash: string; bytes: number; exists: boolean } {
    return { data: this.file.data, hash: this.file.hash, bytes: this.file.bytes, exists: this.file.exists };
  }

  async validate<T>(fn: (data: TasksFile) => T): Promise<Validated<T>> {
    const before = this.file.data;
    const previousHash = this.file.exists ? this.file.hash : undefined;
    const drafted = draftChange(before, fn, {
      exists: this.file.exists,
      brokenTags: this.file.brokenTags ?? [],
      maxFieldBytes: this.host.maxFieldBytes,
      force: this.options.force,
      brokenTagsStay: this.options.brokenTagsStay,
    });
    const { value, data, changes } = drafted;
    const unchanged: TransactResult<T> = { value, data: before, hash: this.file.hash, previousHash, written: false, changes: [] };
    if (!drafted.changed) return { changed: false, value, data: before, changes: [], previousHash, unchanged };
    // Before anyone is told of the change: a read-only file refuses it.
    this.target = await this.host.writeTarget();
    this.draftResult = data;
    const validated: Validated<T> = { changed: true, value, data, changes, previousHash, unchanged };
    this.validated = validated;
    return validated;
  }

  async write(): Promise<Written> {
    const data = this.draftResult;
    if (!data || !this.validated || !this.target) throw new TaskmasterError(ErrorCode.InternalError, 'write() before a changing validate()');
    const { pending, written } = await this.host.startWrite(this.target, data, this.file);
    // Fields set to the values they had: the same bytes, so nothing to write.
    if (this.file.exists && pending.hash === this.file.hash && !this.options.force) {
      await pending.discard();
      return { sameBytes: true, hash: this.file.hash, bytes: this.file.bytes, data: this.file.data, changes: [] };
    }
    this.pending = pending;
    this.writtenData = written;
    // Values JSON changes (a Date…) make the written data differ from the draft's.
    const changes: TaskChange[] = written === data ? this.validated.changes : diffTasksFiles(this.file.exists ? this.file.data : undefined, written);
    const identity = identityOf(pending.written, await this.host.timestampGranularity());
    return { sameBytes: false, hash: pending.hash, bytes: pending.bytes, data: written, changes, identity };
  }

  async makeDurable(): Promise<string | undefined> {
    if (!this.pending || !this.writtenData) throw new TaskmasterError(ErrorCode.InternalError, 'makeDurable() before write()');
    const pending = this.pending;
    this.pending = undefined;
    return this.host.makeDurable(this.held.lock, this.file, pending, this.writtenData, aboutChange(this.log.op, this.log.actor, this.validated!.changes));
  }

  async end<R extends { changes: TaskChange[] }>(result: R): Promise<R> {
    if (this.ended) return result;
    this.ended = true;
    await this.pending?.discard();
    await this.host.leaveLock(this.held);
    const ids = [...new Set(result.changes.map((c) => c.payload.id))];
    await this.host.syncLog.append({ op: this.log.op, actor: this.log.actor, ids, tag: result.changes[0]?.payload.tag, ms: performance.now() - this.log.started, ok: true });
    return result;
  }

  async fail(err: unknown): Promise<unknown> {
    if (this.ended) return err;
    this.ended = true;
    await this.pending?.discard();
    await this.host.leaveLock(this.held);
    const code = err instanceof TaskmasterError ? err.code : ErrorCode.InternalError;
    await this.host.syncLog.append({ op: this.log.op, actor: this.log.actor, ms: performance.now() - this.log.started, ok: false, code });
    return err;
  }
}
