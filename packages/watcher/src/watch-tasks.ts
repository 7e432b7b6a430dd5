import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { diffTasksFiles, ErrorCode, withoutTags, type TasksFile } from '@taskmaster/protocol';
import { watchFileViaDirectory } from './directory-watch.js';
import { OwnWrites } from './own-writes.js';
import { parseTasksFile } from './parse-tasks-file.js';
import { hashTasksFileAt, readTasksFileBytes, type TasksFileRead } from './read-tasks-file.js';
import { ProblemGate } from './problem-gate.js';
import type { TasksFileChange, TasksWatcher, WatchTasksOptions } from './types.js';

const DEFAULT_DEBOUNCE_MS = 30;
const DEFAULT_SETTLE_MS = 250;

/** The last good state. */
interface Baseline {
  data: TasksFile;
  hash: string;
  bytes?: number | undefined;
}

/**
 * Watches a Task Master tasks.json for edits by other writers (the CLI,
 * agents, editors, git) and reports each new valid state as task events.
 *
 * - Rename-writes are seen every time: the directory is watched, not the file.
 * - A burst of writes within `debounceMs` is read once.
 * - Writes announced with `noteOwnWrite` are adopted silently.
 * - A missing, half-written or invalid file is waited out for `settleMs`,
 *   then reported once to `onProblem`; the last good state is kept. Put
 *   back as it was, it is reported to `onRecovered`.
 * - A file with a tag that does not validate (a task with a null title) is
 *   no such problem: it is reported with that tag in `brokenTags`, and the
 *   other tags' changes go out as any change does.
 * - `onChange` is called even when no task changed but the bytes did
 *   (metadata, formatting): `changes` is then empty.
 * - It never writes to the file.
 */
export function watchTasks(
  tasksFile: string,
  onChange: (change: TasksFileChange) => void,
  options: WatchTasksOptions = {},
): TasksWatcher {
  const file = resolve(tasksFile);
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const own = new OwnWrites();
  const problems = new ProblemGate(
    options.settleMs ?? DEFAULT_SETTLE_MS,
    () => void enqueue(),
    (problem) => deliver(options.onProblem, problem),
  );
  let baseline: Baseline | undefined = options.initial;
  let started = false;
  let closed = false;
  let debounce: NodeJS.Timeout | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const onEvent = () => {
    if (closed || !started) return; // the read after `ready` covers earlier events
    clearTimeout(debounce);
    debounce = setTimeout(() => void enqueue(), debounceMs);
  };
  const events = watchFileViaDirectory(file, onEvent, (err) =>
    deliver(options.onProblem, {
      path: file,
      code: ErrorCode.FileAccessDenied,
      message: `cannot watch the folder of ${basename(file)} (${err.message}); check that it exists and may be read`,
    }),
  );

  /** Reads run one at a time, in order, so baselines never race. */
  function enqueue(adoptSilently = false): Promise<TasksFileChange | null> {
    const run = queue.then(() => check(adoptSilently));
    queue = run.catch(() => undefined);
    return run;
  }

  async function check(adoptSilently: boolean): Promise<TasksFileChange | null> {
    if (closed) return null;
    // First the hash alone: the file is most often unchanged or our own write, both known by hash —
    // unless its size already says it is neither (then it is read once, not hashed twice).
    const st = await stat(file, { bigint: true }).catch(() => undefined);
    // Our own write, known by the identity its writer saw: no need to hash it.
    const ours = st && own.hashOfIdentity(st);
    if (ours !== undefined && known(ours)) return null;
    const size = st && Number(st.size);
    // A baseline given without its size (options.initial) may still be the file: hashed, not read.
    const sizeDiffers = baseline === undefined || (baseline.bytes !== undefined && size !== baseline.bytes);
    const unknownSize = size !== undefined && sizeDiffers && !own.mayBeOfSize(size);
    const peek = unknownSize ? undefined : await hashTasksFileAt(file);
    if (closed) return null;
    if (peek?.ok && known(peek.hash)) return null;
    const read = peek?.ok === false ? peek : await readTasksFileBytes(file);
    if (closed) return null;
    return settle(read, adoptSilently);
  }

  /** A read of a version not known by hash: parsed, then reported (or its problem, once settled). */
  async function settle(read: TasksFileRead, adoptSilently: boolean): Promise<TasksFileChange | null> {
    if (!read.ok) {
      problems.bad(read.key, read.problem);
      return null;
    }
    // Parsed and validated here while the hash is computed on the thread pool.
    const parsed = parseTasksFile(file, read.bytes);
    const hash = await read.hash;
    if (closed) return null;
    // Changed again since the peek, perhaps back to a known state.
    if (known(hash)) return null;
    if (!parsed.ok) {
      problems.bad(hash, parsed.problem);
      return null;
    }
    problems.good();
    const before = baseline?.data;
    const previousHash = baseline?.hash;
    baseline = { data: parsed.data, hash, bytes: read.bytes.length };
    if (adoptSilently && !before) return null;
    const brokenNames = parsed.brokenTags.map((p) => p.tag);
    const change: TasksFileChange = {
      // A broken tag sends no events: its tasks are not valid tasks (the server, the store and the CLI report it).
      changes: diffTasksFiles(withoutTags(before, brokenNames), withoutTags(parsed.data, brokenNames)),
      brokenTags: parsed.brokenTags,
      data: parsed.data,
      hash,
      previousHash,
      bytes: read.bytes.length,
      trailingNewline: read.bytes[read.bytes.length - 1] === 0x0a,
      path: file,
    };
    deliver(onChange, change);
    return change;
  }

  /** True (and the baseline moved) when `hash` is the baseline or a write of our own. */
  function known(hash: string): boolean {
    if (baseline?.hash === hash) {
      if (problems.good()) deliver(options.onRecovered, undefined);
      return true;
    }
    const mine = own.take(hash);
    if (!mine) return false;
    problems.good();
    baseline = { data: mine.data, hash, bytes: mine.bytes };
    return true;
  }

  function deliver<T>(listener: ((value: T) => void) | undefined, value: T): void {
    if (closed || !listener) return;
    try {
      listener(value);
    } catch (err) {
      // A listener's bug must not stop the watch; surface it like an EventEmitter would.
      queueMicrotask(() => {
        throw err;
      });
    }
  }

  const ready = events.ready.then(async () => {
    if (closed) return;
    started = true;
    // With `initial`, this also reports edits made between the caller's read and our watch.
    await enqueue(!options.initial);
  });

  return {
    ready,
    current: () => baseline && { data: baseline.data, hash: baseline.hash },
    noteOwnWrite: (hash, data, bytes, identity) => own.note(hash, data, bytes, identity),
    async rescan() {
      await ready;
      if (closed) return null;
      clearTimeout(debounce);
      return enqueue();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(debounce);
      problems.dispose();
      await events.close();
      await queue;
    },
  };
}
