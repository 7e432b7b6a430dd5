import fs from 'node:fs/promises';
import { createDraft, finishDraft, freeze } from 'immer';
import {
  diffTasksFiles,
  emptyTasksFile,
  ErrorCode,
  invalidFromIssues,
  isTaskmasterError,
  issuesOf,
  parseTasksFileText,
  findTag,
  TaskmasterError,
  validateTasksFileChange,
  type SyncConfig,
  type Task,
  type TaskChange,
  type TasksFile,
} from '@taskmaster/protocol';
import { readCurrentTag } from './current-tag.js';
import { detached } from './detached.js';
import { PendingWrite, removeStaleTempFiles } from './durable-write.js';
import { fileError, invalidParams, StaleVersionError } from './errors.js';
import { assertFieldSizes, DEFAULT_MAX_FIELD_BYTES } from './field-limits.js';
import { TaskHistory } from './history.js';
import { displayPath, storePaths, type StorePaths } from './paths.js';
import { SyncLog, type SyncLogEntry } from './sync-log.js';
import { loadSyncConfig } from './sync-config.js';
import { taskOps } from './task-ops/index.js';
import { fullIdOf, requireTag, requireTask } from './task-ops/lookup.js';
import { TasksFileSerializer } from './serialize-tasks-file.js';
import { finalTargetOf } from './safe-fs.js';
import { DEFAULT_MAX_BYTES, formatBytes, loadTasksFile, sha256, type KnownTasksFile, type LoadedTasksFile } from './tasks-file.js';
import { acquireTasksLock, DEFAULT_LOCK_STALE_MS, DEFAULT_LOCK_TIMEOUT_MS, type HeldLock } from './tasks-lock.js';
import type { KnownVersion, ReadResult, Store, StoreOptions, TransactOptions, TransactResult } from './store-types.js';
import { writeTargetOf, type WriteTarget } from './write-target.js';

const TASKS_NAME = 'tasks.json';
/** Files up to this size keep each task's text in memory between writes. */
const DEFAULT_CACHE_BYTES = 4 * 1024 * 1024;
/** Temp files older than this were left by a writer that died mid-write. */
const STALE_TEMP_MS = 60_000;
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
  await removeStaleTempFiles(paths.tasksFile, STALE_TEMP_MS);
  // A symlinked tasks.json is written at its target: temp files are made there.
  const target = await finalTargetOf(paths.tasksFile).catch(() => paths.tasksFile);
  if (target !== paths.tasksFile) await removeStaleTempFiles(target, STALE_TEMP_MS);
  const store = new FileStore(paths, config, options);
  await store.detachSnapshots();
  return store;
}

/** A file read that may be unusable (bad JSON or shape): what restore may replace. */
type CurrentFile = Pick<LoadedTasksFile, 'raw' | 'hash' | 'bytes' | 'exists' | 'stat' | 'trailingNewline'> & { data?: TasksFile };

class FileStore implements Store {
  readonly history: Store['history'];
  private readonly snapshots: TaskHistory;
  private readonly syncLog: SyncLog;
  private readonly maxBytes: number;
  private readonly lockTimeoutMs: number;
  private readonly lockStaleMs: number;
  private readonly cacheBytes: number;
  private readonly maxFieldBytes: number;
  private readonly missingWaitMs: number;
  /** Whether this store has read or written tasks.json: once it has, a missing file is a loss, not a new project. */
  private seenFile = false;
  /** The last content we validated or wrote: re-reading it skips decoding, parsing and validation. */
  private known: KnownTasksFile | undefined;
  private readonly serializer = new TasksFileSerializer();

  constructor(
    readonly paths: StorePaths,
    readonly config: SyncConfig,
    private readonly options: StoreOptions,
  ) {
    this.snapshots = new TaskHistory(paths.historyDir, config.history);
    this.syncLog = new SyncLog(paths.logFile, config.log);
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

  currentTag(): Promise<string> {
    return readCurrentTag(this.paths.stateFile);
  }

  async read(): Promise<ReadResult> {
    const file = await this.load();
    return { data: file.data, hash: file.hash, bytes: file.bytes };
  }

  async transact<T>(fn: (data: TasksFile) => T, options: TransactOptions = {}): Promise<TransactResult<T>> {
    return this.logged(options.reason ?? 'transact', options.actor, () =>
      this.withLock(async (lock) => {
        const current = await this.load('wait');
        if (options.expectHash !== undefined && current.hash !== options.expectHash) throw new StaleVersionError();
        const before = current.data;
        const previousHash = current.exists ? current.hash : undefined;
        // Copy-on-write: fn edits a draft; the new version shares every object fn did not touch.
        const draft = createDraft(before);
        const returned = fn(draft);
        if (returned instanceof Promise) {
          throw new TaskmasterError(ErrorCode.InternalError, 'transact needs a synchronous function: the file is locked only while it runs');
        }
        const value = detached(returned);
        const draftResult = finishDraft(draft) as TasksFile;
        const unchanged = { value, data: before, hash: current.hash, previousHash, written: false, changes: [] };
        if (draftResult === before && !options.force) return unchanged;
        assertStillValid(current.exists ? before : undefined, draftResult);
        // Diffed once, under the lock: cheap, as unchanged tasks are the same objects in both versions.
        const changes = diffTasksFiles(current.exists ? before : undefined, draftResult);
        assertFieldSizes(changes, this.maxFieldBytes);
        // Checked before anyone is told of the change: a read-only file refuses it.
        const target = await writeTargetOf(this.paths.tasksFile, TASKS_NAME);
        if (draftResult !== before) this.options.onValidated?.(draftResult, { previousHash, changes });
        const { pending, written: data } = await this.startWrite(target, draftResult, current.trailingNewline, current.bytes);
        // Fields set to values they already had: the same bytes, so nothing to write.
        if (current.exists && pending.hash === current.hash && !options.force) {
          await pending.discard();
          return unchanged;
        }
        await this.commit(lock, current, pending, data);
        // Values JSON changes (a Date…) make the written data differ from the draft's.
        return { value, data, hash: pending.hash, previousHash, written: true, changes: data === draftResult ? changes : diffTasksFiles(current.exists ? before : undefined, data) };
      }),
    );
  }

  async list(options: { tag?: string; status?: string | string[] } = {}) {
    const tag = options.tag ?? (await this.currentTag());
    const { data } = await this.load();
    const tasks = findTag(data, tag)?.tasks ?? [];
    if (options.status === undefined) return { tag, tasks };
    const wanted = new Set(Array.isArray(options.status) ? options.status : [options.status]);
    return { tag, tasks: tasks.filter((t) => wanted.has(t.status ?? 'pending')) };
  }

  async get(id: Parameters<Store['get']>[0], options: { tag?: string } = {}) {
    const tag = options.tag ?? (await this.currentTag());
    const { data } = await this.load();
    const found = requireTask(requireTag(data, tag), tag, id);
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
    this.known = { hash: version.hash, bytes: version.bytes, trailingNewline: version.trailingNewline, data: freeze(version.data, true) };
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
        const target = await writeTargetOf(this.paths.tasksFile, TASKS_NAME);
        const { pending, written: data } = await this.startWrite(target, freeze(snapshot, true), current.trailingNewline, current.bytes);
        if (current.exists && pending.hash === current.hash) {
          await pending.discard();
          return { value, data: current.data ?? data, hash: current.hash, previousHash, written: false, changes: [] };
        }
        const changes = diffTasksFiles(current.data, data);
        await this.commit(lock, current, pending, data);
        return { value, data, hash: pending.hash, previousHash, written: true, changes };
      });
    });
  }

  /** Turns snapshots left as hard links to tasks.json by a writer that died mid-commit into copies. */
  async detachSnapshots(): Promise<void> {
    await this.snapshots.detachFrom(this.paths.tasksFile).catch(() => undefined);
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
      });
      if (file.data !== this.known?.data) freeze(file.data, true);
      if (file.exists) {
        this.seenFile = true;
        this.known = { hash: file.hash, bytes: file.bytes, trailingNewline: file.trailingNewline, data: file.data };
        return file;
      }
      if (whenMissing === 'empty' || (whenMissing === 'seen' && !this.seenFile)) return file;
      const left = deadline - Date.now();
      if (left <= 0) {
        if (this.seenFile) throw missingError();
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
  private async startWrite(
    target: WriteTarget,
    data: TasksFile,
    trailingNewline: boolean,
    previousBytes: number,
  ): Promise<{ pending: PendingWrite; written: TasksFile }> {
    const text = this.serializer.serialize(data, trailingNewline, previousBytes <= this.cacheBytes);
    const maxBytes = this.maxBytes;
    // The limit reads are held to, so the store never writes a file it would then refuse to read.
    const pending = await PendingWrite.start(target.file, text.pieces, {
      mode: target.mode,
      owner: target.owner,
      maxBytes,
      tooLarge: (bytes) =>
        invalidParams(
          `the change would make tasks.json ${formatBytes(bytes)}, over the ${formatBytes(maxBytes)} limit; nothing was written ` +
            '(make the text shorter or split it across tasks, or raise StoreOptions.maxBytes)',
          { bytes, maxBytes },
        ),
    }).catch((err: unknown) => {
      throw fileError(err, 'write', TASKS_NAME, true);
    });
    return { pending, written: text.plain() ? data : freeze(JSON.parse(JSON.stringify(data)) as TasksFile, true) };
  }

  /** Snapshots the old file, announces, then makes the pending write durable. */
  private async commit(lock: HeldLock, current: CurrentFile, pending: PendingWrite, data: TasksFile): Promise<void> {
    // The file really replaced: tasks.json, or the target of a tasks.json link.
    const file = pending.file;
    this.options.onWillWrite?.(pending.hash, data);
    // The snapshot is saved while the new file is synced, and before the rename.
    const snapshot = current.exists
      ? this.snapshots.save(current.raw, undefined, current.stat && { file, stat: current.stat }).catch((err: unknown) => {
          throw fileError(err, 'save a snapshot to', displayPath(this.paths, this.paths.historyDir));
        })
      : undefined;
    try {
      await pending.commit({ alongside: snapshot, beforeRename: () => lock.assertHeld() });
    } catch (err) {
      // A snapshot linked to a file we did not replace would follow its next in-place write.
      const id = await snapshot?.catch(() => undefined);
      if (id) await this.snapshots.discardIfLive(id, file).catch(() => undefined);
      throw fileError(err, 'write', TASKS_NAME, true);
    }
    this.seenFile = true;
    this.known = { hash: pending.hash, bytes: pending.bytes, trailingNewline: current.trailingNewline, data };
  }

  /** Runs `job` holding the tasks.json lock; calls within this process queue instead of polling. */
  private withLock<T>(job: (lock: HeldLock) => Promise<T>): Promise<T> {
    return queueFor(this.paths.tasksFile, async () => {
      const lock = await acquireTasksLock(this.paths.tasksFile, this.paths.lockFile, {
        timeoutMs: this.lockTimeoutMs,
        staleMs: this.lockStaleMs,
        displayName: displayPath(this.paths, this.paths.lockFile),
      });
      try {
        return await job(lock);
      } finally {
        await lock.release();
      }
    });
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

/** The refusal of a write (or read) when a tasks.json this store has seen stays missing. */
function missingError(): TaskmasterError {
  return new TaskmasterError(
    ErrorCode.FileAccessDenied,
    `${TASKS_NAME} is missing (it existed before and did not come back); nothing was written, so as not to replace your tasks with an empty file. ` +
      'Restore it — from git, or from a snapshot with `taskmaster history list` and `taskmaster history restore <snapshot>` — then try again',
    { file: TASKS_NAME },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects a transaction whose result would not be a valid tasks file (checking only what changed). */
function assertStillValid(before: TasksFile | undefined, data: TasksFile): void {
  try {
    validateTasksFileChange(before, data);
  } catch (err) {
    const issues = issuesOf(err);
    if (!issues) throw err;
    throw invalidFromIssues(issues, 'the change would make tasks.json invalid, nothing was written: ');
  }
}

const queues = new Map<string, Promise<void>>();

/** Serialises jobs on the same key within this process. */
function queueFor<T>(key: string, job: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(job);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}
