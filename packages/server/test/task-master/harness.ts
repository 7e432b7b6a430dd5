import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  describeRun,
  makeScratchHome,
  runTaskMaster as runTaskMasterIn,
  tasksFile,
  type TaskMasterRun,
} from '@taskmaster/task-master-runner';
import { expect } from 'vitest';
import { register, type RawClient } from '../helpers.js';

// The generic runner (finding the script, scratch HOME, env, ANSI stripping) is shared
// with the oracle tests (tests/oracle) in the workspace package @taskmaster/task-master-runner.
export {
  REPO_ROOT,
  TASK_MASTER_VERSION,
  describeRun,
  lockFailure,
  stripAnsi,
  taskMasterScript,
  tasksFile,
  type TaskMasterRun,
} from '@taskmaster/task-master-runner';

const homes = new Map<string, Promise<string>>();

/**
 * A scratch HOME per project: Task Master keeps auth, update checks and
 * telemetry ids under HOME, and must never read or write the developer's.
 * Removed at the tests' cleanup.
 */
function scratchHome(root: string): Promise<string> {
  let home = homes.get(root);
  if (!home) {
    home = makeScratchHome();
    homes.set(root, home);
    const made = home;
    register(async () => {
      homes.delete(root);
      await rm(await made, { recursive: true, force: true });
    });
  }
  return home;
}

/**
 * Runs the real Task Master CLI in `root`, arguments passed as argv — never
 * through a shell — with one scratch HOME per project.
 */
export async function runTaskMaster(root: string, args: string[], { timeoutMs = 60_000 }: { timeoutMs?: number } = {}): Promise<TaskMasterRun> {
  return runTaskMasterIn(root, args, { home: await scratchHome(root), timeoutMs });
}

/** A real Task Master command held after it read tasks.json, before it takes the lock to write. */
export interface HeldTaskMaster {
  /** Lets the command go on; resolves with its run once it has exited. */
  release(): Promise<TaskMasterRun>;
}

const HOLD_BEFORE_LOCK = fileURLToPath(new URL('./hold-before-lock.cjs', import.meta.url));

/**
 * Starts the real Task Master CLI in `root` and resolves once it is held just
 * before taking tasks.json's lock, with the tag it will write back read
 * (hold-before-lock.cjs, preloaded): what it writes on release is made from
 * that read, whatever was committed meanwhile. Rejects, with the run's
 * account, if the command ends without reaching the lock.
 */
export async function startHeldTaskMaster(root: string, args: string[]): Promise<HeldTaskMaster> {
  const signals = await mkdtemp(join(tmpdir(), 'tm-hold-'));
  register(() => rm(signals, { recursive: true, force: true }));
  const ready = join(signals, 'ready');
  const go = join(signals, 'go');
  // A test that fails before releasing it does not wait out the timeout: its clean-up kills the run.
  const held = new AbortController();
  register(async () => held.abort());
  const run = runTaskMasterIn(root, args, {
    home: await scratchHome(root),
    timeoutMs: 90_000,
    signal: held.signal,
    node: { args: ['--require', HOLD_BEFORE_LOCK], env: { TM_HOLD_LOCK: `${tasksFile(root)}.lock`, TM_HOLD_READY: ready, TM_HOLD_GO: go } },
  });
  let ended: TaskMasterRun | undefined;
  run.then((r) => (ended = r)).catch(() => undefined);
  while (!existsSync(ready)) {
    if (ended) throw new Error(`Task Master ended before taking the lock: ${describeRun(ended)}`);
    await sleep(25);
  }
  return {
    async release() {
      await writeFile(go, '');
      return run;
    },
  };
}

export type Json = Record<string, unknown>;
export interface NormalTask extends Json {
  id: string;
  dependencies: string[];
  subtasks: NormalTask[];
}
export type NormalFile = Record<string, { tasks: NormalTask[]; metadata?: Json }>;

/**
 * Task Master flips ids and dependencies between `1` and `"1"` on every write
 * (tm-core writes strings, `writeJSON` numbers); neither is a change a user
 * sees, so comparisons use strings throughout.
 */
export function normalise(file: unknown): NormalFile {
  const data = file as Record<string, { tasks?: Json[]; metadata?: Json }>;
  // A legacy file ({tasks: [...]}) is Task Master's `master` tag.
  const tagged: Record<string, { tasks?: Json[]; metadata?: Json }> = Array.isArray((data as { tasks?: unknown }).tasks)
    ? { master: data as { tasks?: Json[] } }
    : data;
  const task = (t: Json): NormalTask => ({
    ...t,
    id: String(t.id),
    dependencies: ((t.dependencies as unknown[] | undefined) ?? []).map(String),
    subtasks: ((t.subtasks as Json[] | undefined) ?? []).map(task),
  });
  const out: NormalFile = {};
  for (const [tag, value] of Object.entries(tagged)) {
    if (!value || !Array.isArray(value.tasks)) continue;
    out[tag] = { ...value, tasks: value.tasks.map(task) };
  }
  return out;
}

/** tasks.json parsed, ids and dependencies as strings. */
export async function readNormalised(root: string): Promise<NormalFile> {
  return normalise(JSON.parse(await readFile(tasksFile(root), 'utf8')));
}

/** Task `id` of `tag` in a normalised file (throws when absent, naming it). */
export function taskOf(file: NormalFile, tag: string, id: string | number): NormalTask {
  const found = file[tag]?.tasks.find((t) => t.id === String(id));
  if (!found) throw new Error(`no task ${id} in tag ${tag}`);
  return found;
}

/**
 * Resolves once `client` has received nothing for `quietMs` (the server has
 * settled after an outside write: watcher debounce, a rebase write and its
 * events), or after `maxMs` regardless.
 */
export async function quiet(client: RawClient, quietMs = 800, maxMs = 15_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let seen = client.messages.length;
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    if (client.messages.length !== seen) {
      seen = client.messages.length;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}

/**
 * Waits until the server has read `file` as it is: `client` (subscribed to
 * every event) heard nothing for `quietMs`, and the server's last
 * `file.changed` names the bytes on disk. Quiet alone is not enough on a
 * loaded machine, where the watcher may report the last outside write after
 * it; fails when the server never reports the file as it ended.
 */
export async function caughtUp(client: RawClient, file: string, quietMs: number, maxMs = 30_000): Promise<void> {
  const lastHash = () => client.events('file.changed').at(-1)?.params.hash;
  const onDisk = async () => createHash('sha256').update(await readFile(file)).digest('hex');
  const deadline = Date.now() + maxMs;
  do await quiet(client, quietMs, 20_000);
  while (lastHash() !== (await onDisk()) && Date.now() < deadline);
  expect(lastHash(), 'the server never reported the file as it ended').toBe(await onDisk());
}

/**
 * Waits for the server to adopt the outside write (a file.changed after `from`:
 * `external`, or `server` for a rewrite of it — either way the file moved) and
 * then to settle.
 */
export async function settled(client: RawClient, from: number): Promise<void> {
  await client.waitFor((m) => m.method === 'file.changed' && client.messages.indexOf(m) >= from, 10_000);
  await quiet(client);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One edit an outside writer makes to its (stale) copy: set fields of task `id` in `tag`. */
export interface OutsideEdit {
  tag: string;
  id: number | string;
  set: Json;
}

export interface OutsideWriterOptions {
  /** Edits applied to the copy read at start. */
  edits?: OutsideEdit[];
  /** Write back exactly the bytes read at start (an undo, `git checkout` of that version). */
  verbatim?: boolean;
  /** Take Task Master's `wx` lock file around the write, with its retries. */
  lock?: boolean;
}

/** A child process that read tasks.json and writes it back when told. */
export interface OutsideWriter {
  /** Writes now; resolves once the file is renamed into place (rejects if it failed, e.g. on the lock). */
  write(): Promise<void>;
}

/**
 * The child: mimics Task Master's clobber deterministically. It reads the whole
 * file, says so, waits for a line on stdin (while the server commits changes),
 * then writes its stale copy plus its own edits back over the file via a temp
 * file and rename, as Task Master does — optionally inside Task Master's `wx`
 * lock (5 tries, 100·2^n ms apart). Plain JS: a bare node child cannot run
 * TypeScript.
 */
const OUTSIDE_WRITER = String.raw`
import fs from 'node:fs';
import path from 'node:path';
const [file, optionsJson] = process.argv.slice(1);
const options = JSON.parse(optionsJson);
const bytes = fs.readFileSync(file);
process.stdout.write('read\n');
process.stdin.setEncoding('utf8');
let input = '';
process.stdin.on('data', (chunk) => {
  input += chunk;
  if (!input.includes('\n')) return;
  process.stdin.pause();
  try {
    write();
    process.stdout.write('written\n');
    process.exit(0);
  } catch (err) {
    process.stderr.write(String(err && err.message || err) + '\n');
    process.exit(1);
  }
});
function write() {
  let text;
  if (options.verbatim) text = bytes;
  else {
    const data = JSON.parse(bytes.toString('utf8'));
    for (const edit of options.edits || []) {
      const tasks = Array.isArray(data.tasks) && edit.tag === 'master' ? data.tasks : data[edit.tag].tasks;
      const task = tasks.find((t) => String(t.id) === String(edit.id));
      if (!task) throw new Error('outside writer: no task ' + edit.id + ' in ' + edit.tag);
      Object.assign(task, edit.set);
    }
    text = JSON.stringify(data, null, 2);
  }
  const lock = file + '.lock';
  let locked = false;
  if (options.lock) {
    for (let attempt = 0; attempt < 5 && !locked; attempt++) {
      try {
        fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, timestamp: Date.now() }), { flag: 'wx' });
        locked = true;
      } catch (err) {
        if (err.code !== 'EEXIST') throw err;
        if (attempt < 4) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100 * 2 ** attempt);
      }
    }
    if (!locked) throw new Error('Failed to acquire lock on ' + file + ' after 5 attempts');
  }
  try {
    const tmp = path.join(path.dirname(file), '.tasks.json.tmp.' + process.pid);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } finally {
    if (locked) fs.unlinkSync(lock);
  }
}
`;

/** Starts an outside writer on `root`'s tasks.json; resolves once it has read the file. */
export async function startOutsideWriter(root: string, options: OutsideWriterOptions): Promise<OutsideWriter> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', OUTSIDE_WRITER, tasksFile(root), JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  register(async () => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: string) => {
      stdout += c;
      if (stdout.includes('read\n')) resolve();
    });
    void exited.then((code) => reject(new Error(`outside writer exited (${code}) before reading: ${stderr}`)));
  });
  return {
    async write() {
      child.stdin.write('go\n');
      const code = await exited;
      if (code !== 0 || !stdout.includes('written\n')) throw new Error(`outside writer failed (${code}): ${stderr.trim()}`);
    },
  };
}
