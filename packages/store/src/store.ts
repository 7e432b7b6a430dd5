import type { BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  diffTasksFiles,
  emptyTasksFile,
  ErrorCode,
  isTaskmasterError,
  parseTasksFileText,
  findTag,
  TaskmasterError,
  type SyncConfig,
  type TagProblem,
  type Task,
  type TaskChange,
  type TasksFile,
} from '@taskmaster/protocol';
import { CurrentTagReader } from './current-tag.js';
import { PendingWrite, removeStaleTempFiles, STALE_TEMP_MS, type PendingWriteOptions } from './durable-write.js';
import { fileError, invalidParams, missingTasksFileError, StaleVersionError } from './errors.js';
import { identityOf, timestampGranularity } from './file-identity.js';
import { SourceChangedError } from './file-source.js';
import { DEFAULT_MAX_FIELD_BYTES } from './field-limits.js';
import { draftChange, type DraftedChange } from './draft-change.js';
import { freezeVersion, frozen } from './freeze-version.js';
import { StagedWrite, type StagedFrom, type StagingHost } from './staged-write.js';
import { aboutChange, TaskHistory, type SnapshotAbout } from './history.js';
import { OverriddenNotices } from './overridden-notices.js';
import { assertTagUsable, brokenTagsAfter } from './broken-tags.js';
import { displayPath, storePaths, type StorePaths } from './paths.js';
import { SyncLog, type SyncLogEntry } from './sync-log.js';
import { loadSyncConfig } from './sync-config.js';
import { taskOps } from './task-ops/index.js';
import { fullIdOf, requireTag, requireTask } from './task-ops/lookup.js';
import { TasksFileSerializer, type TaskPlacement } from './serialize-tasks-file.js';
import { finalTargetOf } from './safe-fs.js';
import { DEFAULT_MAX_BYTES, formatBytes, loadTasksFile, sha256, type KnownTasksFile, type LoadedTasksFile } from './tasks-file.js';
import { acquireTasksLock, DEFAULT_LOCK_STALE_MS, DEFAULT_LOCK_TIMEOUT_MS, type HeldLock } from './tasks-lock.js';
import type { KnownVersion, ReadResult, Store, StoreOptions, TransactOptions, TransactResult, WriteSession } from './store-types.js';
import { FileWriteSession, type SessionHost } from './write-session.js';
import { writeTargetOf, type WriteTarget } from './write-target.js';

const TASKS_NAME = 'tasks.json';
/** Characters of task text kept between writes (about as many bytes: task text is mostly ASCII, one byte per character in V8). */
const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;
/** How long a missing tasks.json is waited for by default: it is usually being replaced (git checkout, an editor). */
export const DEFAULT_MISSING_WAIT_MS = 1000;
/** How often a missing tasks.json is looked for while waiting. */
const MISSING_POLL_MS = 25;

/**
 * What a load does when tasks.json is missing: `wait` for it (a write: then
 * refuse if it was seen before, else start a new file), `seen` wait and
 * refuse only if it was seen before (a read), `empty` take it as a new file at
 * once (a restore, which is how a lost file is brought back).
 */
type WhenMissing = 'wait' | 'seen' | 'empty';

/**
 * Opens the store of the project at `root` (the folder holding `.taskmaster/`).
 * Reads `config/sync.json` (a bad one is -32602 naming the key); tasks.json
 * is read on each call, since Task Master writes it too (only its parsing is
 * skipped when the bytes are the ones this store last read or wrote).
 */
export async function openStore(root: string, options: StoreOptions = {}): Promise<Store> {
  const paths = storePaths(root);
  const config = await loadSyncConfig(paths.syncConfigFile, displayPath(paths, paths.syncConfigFile));
  // Temp files are made in the staging folder, or beside the file where it cannot be used (see write-target.ts).
  await removeStaleTempFiles(paths.tasksFile, STALE_TEMP_MS, paths.stagingDir);
  await removeStaleTempFiles(paths.tasksFile, STALE_TEMP_MS);
  // A symlinked tasks.json is written at its target: temp files are made there.
  const target = await finalTargetOf(paths.tasksFile).catch(() => paths.tasksFile);
  if (target !== paths.tasksFile) await removeStaleTempFiles(target, STALE_TEMP_MS);
  const store = new FileStore(paths, config, options);
  await store.tidyKeptFiles();
  return store;
}

/** A file read that may be unusable (bad JSON or shape): what restore may replace. */
type CurrentFile = Pick<LoadedTasksFile, 'raw' | 'hash' | 'bytes' | 'exists' | 'identity' | 'trailingNewline'> & { data?: TasksFile };

class FileStore implements Store, SessionHost, StagingHost {
  readonly history: Store['history'];
  private readonly snapshots: TaskHistory;
  readonly overridden: OverriddenNotices;
  readonly syncLog: SyncLog;
  private readonly maxBytes: number;
  private readonly lockTimeoutMs: number;
  private readonly lockStaleMs: number;
  private readonly cacheBytes: number;
  readonly maxFieldBytes: number;
  private readonly missingWaitMs: number;
  /** Whether this store has read or written tasks.json: once it has, a missing file is a loss, not a new project. */
  private seenFile = false;
  /** The last content we validated or wrote: re-reading it skips decoding, parsing and validation. */
  private known: KnownTasksFile | undefined;
  private readonly serializer = new TasksFileSerializer();
  private readonly tagReader: CurrentTagReader;
  /** Where the tasks of each pending write's file are (see TasksFileSerializer.placed). */
  private readonly placements = new WeakMap<PendingWrite, TaskPlacement | undefined>();
  /** The broken tags of each version this store read, learned, wrote or drafted (see broken-tags.ts); none when unknown. */
  private readonly brokenTagsByVersion = new WeakMap<TasksFile, TagProblem[]>();
  /** Step of the timestamps of the file system tasks.json is on (see file-identity.ts), found once. */
  private granularity: Promise<bigint> | undefined;

  constructor(
    readonly paths: StorePaths,
    readonly config: SyncConfig,
    private readonly options: StoreOptions,
  ) {
    this.snapshots = new TaskHistory(paths.historyDir, config.history, options.historyQuietMs ?? 0);
    this.overridden = new OverriddenNotices(paths.overriddenFile);
    this.syncLog = new SyncLog(paths.logFile, config.log);
    this.tagReader = new CurrentTagReader(paths.stateFile);
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    this.lockStaleMs = Math.max(options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS, 2000);
    this.cacheBytes = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
    this.maxFieldBytes = options.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES;
    this.missingWaitMs = Math.max(0, options.missingWaitMs ?? DEFAULT_MISSING_WAIT_MS);
    this.history = {
      list: () => this.snapshots.list(),
      restore: (id) => this.restore(id),
      save: (data) => this.snapshots.save(`${JSON.stringify(data, null, 2)}\n`),
    };
  }

  get root(): string {
    return this.paths.root;
  }

  /** See TaskHistory.tidyKeptFiles: a snapshot left sharing tasks.json's inode by a writer killed mid-commit, or left plain by a stopped server. */
  tidyKeptFiles(): Promise<void> {
    return this.snapshots.tidyKeptFiles(this.paths.tasksFile);
  }

  /** Task Master's current tag, read again only when state.json changed (see {@link CurrentTagReader}). */
  currentTag(): Promise<string> {
    return this.tagReader.current();
  }

  async read(): Promise<ReadResult> {
    const file = await this.load();
    return { data: file.data, hash: file.hash, bytes: file.bytes, brokenTags: file.brokenTags ?? [] };
  }

  brokenTags(data: TasksFile): readonly TagProblem[] {
    return this.brokenTagsByVersion.get(data) ?? [];
  }

  async transact<T>(fn: (data: TasksFile) => T, options: TransactOptions = {}): Promise<TransactResult<T>> {
    const session = await this.begin(options);
    try {
      const validated = await session.validate(fn);
      if (!validated.changed) return session.end(validated.unchanged);
      const written = await session.write();
      if (written.sameBytes) return session.end(validated.unchanged);
      const snapshot = await session.makeDurable();
      return session.end({ value: validated.value, data: written.data, hash: written.hash, previousHash: validated.previousHash, written: true, changes: written.changes, snapshot });
    } catch (err) {
      throw await session.fail(err);
    }
  }

  draft<T>(before: TasksFile, fn: (data: TasksFile) => T): DraftedChange<T> {
    const brokenTags = this.brokenTagsByVersion.get(before) ?? [];
    const drafted = draftChange(before, fn, { exists: true, brokenTags, maxFieldBytes: this.maxFieldBytes });
    if (drafted.changed && brokenTags.length > 0) this.brokenTagsByVersion.set(drafted.data, brokenTagsAfter({ data: before, brokenTags }, drafted.data));
    return drafted;
  }

  async stage(data: TasksFile, from: StagedFrom): Promise<StagedWrite | undefined> {
    // Refused here, before any byte is written: a read-only file (1005), a file over the size limit (-32602).
    const target = await this.writeTarget();
    const base = this.known !== undefined && this.known.hash === from.base ? this.known : undefined;
    const { pending, written } = await this.startWrite(target, data, { trailingNewline: base?.trailingNewline ?? true, bytes: base?.bytes ?? 0 });
    if (pending.hash === from.base) {
      await pending.discard();
      return undefined;
    }
    await pending.sync().catch((err: unknown) => {
      throw fileError(err, 'write', TASKS_NAME, true);
    });
    const broken = this.brokenTagsByVersion.get(data);
    if (broken && written !== data) this.brokenTagsByVersion.set(written, broken);
    return new StagedWrite(this, pending, written, from, identityOf(pending.written, await this.timestampGranularity()));
  }

  loadUnderLock(): Promise<LoadedTasksFile> {
    return this.load('wait');
  }

  async begin(options: TransactOptions = {}): Promise<WriteSession> {
    const started = performance.now();
    const op = options.reason ?? 'transact';
    const actor = options.actor ?? this.options.actor;
    let held: { lock: HeldLock; leave: () => void } | undefined;
    try {
      held = await this.enterLock();
      const current = await this.load('wait');
      if (options.expectHash !== undefined && current.hash !== options.expectHash) throw new StaleVersionError();
      return new FileWriteSession(this, held, current, options, { op, actor, started });
    } catch (err) {
      if (held) await this.leaveLock(held);
      const code = err instanceof TaskmasterError ? err.code : ErrorCode.InternalError;
      await this.syncLog.append({ op, actor, ms: performance.now() - started, ok: false, code });
      throw err;
    }
  }

  async list(options: { tag?: string; status?: string | string[] } = {}) {
    const tag = options.tag ?? (await this.currentTag());
    const file = await this.load();
    assertTagUsable(file, tag);
    const tasks = findTag(file.data, tag)?.tasks ?? [];
    if (options.status === undefined) return { tag, tasks };
    const wanted = new Set(Array.isArray(options.status) ? options.status : [options.status]);
    return { tag, tasks: tasks.filter((t) => wanted.has(t.status ?? 'pending')) };
  }

  async get(id: Parameters<Store['get']>[0], options: { tag?: string } = {}) {
    const tag = options.tag ?? (await this.currentTag());
    const file = await this.load();
    assertTagUsable(file, tag);
    const found = requireTask(requireTag(file.data, tag), tag, id);
    return { tag, id: fullIdOf(found), task: found.task as Task };
  }

  async create(...[input, options = {}]: Parameters<Store['create']>) {
    const tag = options.tag ?? (await this.currentTag());
    return this.transact((d) => taskOps.createTask(d, tag, input, options.parentId), { reason: 'task.create' });
  }

  async update(...[id, changes, options = {}]: Parameters<Store['update']>) {
    const tag = options.tag ?? (await this.currentTag());
    return this.transact((d) => taskOps.updateTask(d, tag, id, changes), { reason: 'task.update' });
  }

  async setStatus(...[ids, status, options = {}]: Parameters<Store['setStatus']>) {
    const tag = options.tag ?? (await this.currentTag());
    return this.transact((d) => taskOps.setStatus(d, tag, ids, status), { reason: 'task.setStatus' });
  }

  async remove(...[id, options = {}]: Parameters<Store['remove']>) {
    const tag = options.tag ?? (await this.currentTag());
    return this.transact((d) => taskOps.deleteTask(d, tag, id), { reason: 'task.delete' });
  }

  learn(version: KnownVersion): void {
    const brokenTags = version.brokenTags?.length ? [...version.brokenTags] : undefined;
    this.known = { hash: version.hash, bytes: version.bytes, trailingNewline: version.trailingNewline, data: version.data, brokenTags };
    if (brokenTags) this.brokenTagsByVersion.set(version.data, brokenTags);
    // Frozen once the caller's turn is over: freezing a large file takes tens of ms, which would
    // otherwise stand between an outside edit and the clients who are told of it (nothing mutates it meanwhile).
    setImmediate(() => freezeVersion(version.data));
    this.seenFile = true;
  }

  log(entry: SyncLogEntry): Promise<void> {
    return this.syncLog.append({ actor: this.options.actor, ...entry });
  }

  /**
   * Replaces tasks.json with snapshot `id`. Works even when the current file
   * is unreadable JSON or the wrong shape — that is what restores are for —
   * because its bytes are saved to history first, so nothing is lost.
   */
  private async restore(id: string): Promise<TransactResult<{ restored: string }>> {
    return this.logged('history.restore', undefined, async () => {
      const snapshot = parseTasksFileText(await this.snapshots.read(id), `snapshot ${id}`);
      return this.withLock(async (lock) => {
        const current = await this.loadEvenIfInvalid();
        const value = { restored: id };
        const previousHash = current.exists ? current.hash : undefined;
        const target = await this.writeTarget();
        const { pending, written: data } = await this.startWrite(target, frozen(snapshot), current);
        if (current.exists && pending.hash === current.hash) {
          await pending.discard();
          return { value, data: current.data ?? data, hash: current.hash, previousHash, written: false, changes: [] };
        }
        const changes = diffTasksFiles(current.data, data);
        await this.makeDurable(lock, current, pending, data, aboutChange('history.restore', this.options.actor, changes));
        return { value, data, hash: pending.hash, previousHash, written: true, changes };
      });
    });
  }

  /**
   * Reads tasks.json. Its `data` is frozen and shared: callers never need to
   * copy it, and cannot change it. A missing file is never taken for "no
   * tasks" by a store that has seen it: it is waited for (up to
   * `missingWaitMs`; it is usually being replaced), then refused.
   */
  private async load(whenMissing: WhenMissing = 'seen'): Promise<LoadedTasksFile> {
    const deadline = Date.now() + this.missingWaitMs;
    for (;;) {
      const file = await loadTasksFile(this.paths.tasksFile, {
        name: TASKS_NAME,
        maxBytes: this.maxBytes,
        known: this.known,
        whenMissing: () => emptyTasksFile(),
        granularityNs: await this.timestampGranularity(),
      });
      if (file.data !== this.known?.data) freezeVersion(file.data);
      if (file.exists) {
        this.seenFile = true;
        this.known = { hash: file.hash, bytes: file.bytes, trailingNewline: file.trailingNewline, data: file.data, brokenTags: file.brokenTags };
        if (file.brokenTags?.length) this.brokenTagsByVersion.set(file.data, file.brokenTags);
        if (file.identity) this.known.identity = file.identity;
        return file;
      }
      if (whenMissing === 'empty' || (whenMissing === 'seen' && !this.seenFile)) return file;
      const left = deadline - Date.now();
      if (left <= 0) {
        if (this.seenFile) throw missingTasksFileError();
        return file;
      }
      await sleep(Math.min(MISSING_POLL_MS, left));
    }
  }

  private async loadEvenIfInvalid(): Promise<CurrentFile> {
    try {
      return await this.load('empty');
    } catch (err) {
      if (!isTaskmasterError(err, ErrorCode.ParseError) && !isTaskmasterError(err, ErrorCode.InvalidParams)) throw err;
      const raw = await fs.readFile(this.paths.tasksFile).catch((e: unknown) => {
        throw fileError(e, 'read', TASKS_NAME);
      });
      return { raw, hash: sha256(raw), bytes: raw.length, exists: true, trailingNewline: raw[raw.length - 1] === 0x0a };
    }
  }

  /**
   * Writes `data` to a temp file. Returns it with the data as a reader of the
   * file will see it: `data` itself, unless it held values JSON changes.
   */
  async startWrite(target: WriteTarget, data: TasksFile, current: Pick<LoadedTasksFile, 'trailingNewline' | 'bytes'>): Promise<{ pending: PendingWrite; written: TasksFile }> {
    const maxBytes = this.maxBytes;
    // The limit reads are held to, so the store never writes a file it would then refuse to read.
    const encode = () => this.serializer.encode(data, { trailingNewline: current.trailingNewline, budgetBytes: this.cacheBytes, maxBytes, expectedBytes: current.bytes });
    let encoded = await encode();
    const options: PendingWriteOptions = {
      mode: target.mode,
      owner: target.owner,
      tempDir: target.tempDir,
      tooLarge: (bytes) =>
        invalidParams(
          `the change would make tasks.json ${formatBytes(bytes)}, over the ${formatBytes(maxBytes)} limit; nothing was written ` +
            '(make the text shorter or split it across tasks, or raise StoreOptions.maxBytes)',
          { bytes, maxBytes },
        ),
    };
    const pending = await PendingWrite.start(target.file, encoded, options)
      .catch(async (err: unknown) => {
        if (!(err instanceof SourceChangedError)) throw err;
        // The file the unchanged tasks were copied from changed meanwhile (someone wrote it in place): encoded from memory.
        this.serializer.dropSource();
        encoded = await encode();
        return PendingWrite.start(target.file, encoded, options);
      })
      .catch((err: unknown) => {
        throw fileError(err, 'write', TASKS_NAME, true);
      });
    this.placements.set(pending, encoded.placement);
    return { pending, written: encoded.plain ? data : frozen(JSON.parse(JSON.stringify(data)) as TasksFile) };
  }

  /** Where tasks.json is written (a symlink's target), with its mode and owner; a read-only file is refused. */
  writeTarget(): Promise<WriteTarget> {
    return writeTargetOf(this.paths.tasksFile, TASKS_NAME, this.paths.stagingDir);
  }

  /** Snapshots the old file, then makes the pending write durable; returns the snapshot's id (none when there was no file). */
  async makeDurable(lock: HeldLock, current: CurrentFile, pending: PendingWrite, data: TasksFile, about: SnapshotAbout = {}): Promise<string | undefined> {
    const replaced = await this.replaceFile(lock, current, pending, data, about);
    await replaced.durable();
    return replaced.snapshot;
  }

  /**
   * Holding the lock: keeps the old file as a snapshot, then renames the new
   * one over it (fsyncing it first, unless a staged write did). Returns what
   * makes the rename durable, which needs no lock: the folder fsync, then the
   * snapshot's compression in the background. `snapshot` is the id of the
   * history snapshot that keeps the old file.
   */
  async replaceFile(lock: HeldLock, current: CurrentFile, pending: PendingWrite, data: TasksFile, about: SnapshotAbout = {}): Promise<{ snapshot: string | undefined; durable(): Promise<void> }> {
    // The file really replaced: tasks.json, or the target of a tasks.json link.
    const file = pending.file;
    const historyError = (err: unknown) => fileError(err, 'save a snapshot to', displayPath(this.paths, this.paths.historyDir));
    // The old file is kept by a link (no copy) before the rename replaces it, and compressed after the
    // commit; where no link can be made, it is copied and gzipped while the new file is synced.
    let kept: Awaited<ReturnType<TaskHistory['keep']>> = undefined;
    let copied: Promise<string | undefined> | undefined;
    let placed: BigIntStats;
    try {
      kept = current.exists
        ? await this.snapshots.keep(file, about).catch((err: unknown) => {
            throw historyError(err);
          })
        : undefined;
      copied =
        current.exists && !kept
          ? this.snapshots.save(current.raw ?? { file }, about).catch((err: unknown) => {
              throw historyError(err);
            })
          : undefined;
      if (pending.synced) {
        await copied;
        placed = await pending.rename(() => lock.assertHeld());
      } else {
        placed = await pending.commit({ alongside: copied, beforeRename: () => lock.assertHeld() });
      }
    } catch (err) {
      // Not replaced: the temp file goes, and the link would share the live file, which in-place writers change.
      await pending.discard();
      await kept?.undo().catch(() => undefined);
      throw fileError(err, 'write', TASKS_NAME, true);
    }
    this.seenFile = true;
    // The next commit proves the file unchanged by this identity (one stat) instead of hashing it.
    const identity = identityOf(placed, await this.timestampGranularity());
    // A large file's next version copies its unchanged tasks from this one.
    this.serializer.placed(this.placements.get(pending), file, identity, pending.hash);
    const brokenTags = brokenTagsAfter(current, data);
    if (brokenTags.length > 0) this.brokenTagsByVersion.set(data, brokenTags);
    this.known = { hash: pending.hash, bytes: pending.bytes, trailingNewline: current.trailingNewline, data, brokenTags, identity };
    return {
      // A copy is settled by now: the rename waited for it.
      snapshot: kept ? kept.id : await copied,
      durable: async () => {
        try {
          await pending.syncFolder().catch((err: unknown) => {
            throw fileError(err, 'write', TASKS_NAME, true);
          });
        } finally {
          if (kept) this.snapshots.settle(kept.id);
        }
      },
    };
  }

  /** The step of tasks.json's file system timestamps, probed once beside the file really written. */
  timestampGranularity(): Promise<bigint> {
    this.granularity ??= finalTargetOf(this.paths.tasksFile)
      .catch(() => this.paths.tasksFile)
      .then((file) => timestampGranularity(path.dirname(file)));
    return this.granularity;
  }

  /** Runs `job` holding the tasks.json lock; calls within this process queue instead of polling. */
  private async withLock<T>(job: (lock: HeldLock) => Promise<T>): Promise<T> {
    const held = await this.enterLock();
    try {
      return await job(held.lock);
    } finally {
      await this.leaveLock(held);
    }
  }

  /** Takes this process's turn on tasks.json, then the file lock itself. */
  async enterLock(): Promise<{ lock: HeldLock; leave: () => void }> {
    const leave = await takeTurn(this.paths.tasksFile);
    try {
      const lock = await acquireTasksLock(this.paths.tasksFile, this.paths.lockFile, {
        timeoutMs: this.lockTimeoutMs,
        staleMs: this.lockStaleMs,
        displayName: displayPath(this.paths, this.paths.lockFile),
      });
      return { lock, leave };
    } catch (err) {
      leave();
      throw err;
    }
  }

  async leaveLock(held: { lock: HeldLock; leave: () => void }): Promise<void> {
    try {
      await held.lock.release();
    } finally {
      held.leave();
    }
  }

  /** Runs `job` and writes one log line with its outcome (ids and tag only). */
  private async logged<T extends { changes: TaskChange[] }>(op: string, actor: string | undefined, job: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const who = actor ?? this.options.actor;
    try {
      const result = await job();
      const ids = [...new Set(result.changes.map((c) => c.payload.id))];
      await this.syncLog.append({ op, actor: who, ids, tag: result.changes[0]?.payload.tag, ms: performance.now() - started, ok: true });
      return result;
    } catch (err) {
      const code = err instanceof TaskmasterError ? err.code : ErrorCode.InternalError;
      await this.syncLog.append({ op, actor: who, ms: performance.now() - started, ok: false, code });
      throw err;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const turns = new Map<string, Promise<void>>();

/**
 * Waits for this process's earlier holders of `key` to finish; resolves with
 * the function that ends this turn. Writers in one process queue here instead
 * of polling the file lock.
 */
async function takeTurn(key: string): Promise<() => void> {
  const previous = turns.get(key) ?? Promise.resolve();
  let leave!: () => void;
  const mine = new Promise<void>((resolve) => (leave = resolve));
  const tail = previous.then(() => mine);
  turns.set(key, tail);
  void tail.then(() => {
    if (turns.get(key) === tail) turns.delete(key);
  });
  await previous;
  return leave;
}
