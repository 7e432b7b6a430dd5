import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeScratchHome, REPO_ROOT, runTaskMaster, tasksFile, type TaskMasterRun } from '@taskmaster/task-master-runner';

/** Our built CLI (`pnpm turbo run build --filter=@taskmaster/cli`). */
export const OUR_BIN = join(REPO_ROOT, 'apps', 'cli', 'dist', 'bin.js');
/** The real Task Master file of the task-master repository (1.5 MB, 9 tags; read-only). */
export const FIXTURE = process.env.TASKMASTER_FIXTURE ?? resolve(REPO_ROOT, '..', 'shared', 'fixtures', 'taskmaster-repo-tasks.json');

export type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Projects and runs
// ---------------------------------------------------------------------------------------------

const cleanups: Array<() => Promise<unknown>> = [];

/** Removes every project and scratch HOME made so far. */
export async function cleanUp(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
}

let fixtureBytes: Promise<Buffer> | undefined;
/** The fixture's bytes, read once. */
export function fixture(): Promise<Buffer> {
  fixtureBytes ??= readFile(FIXTURE);
  return fixtureBytes;
}

/** What a project starts with: a tasks file (an object, or the fixture) and optionally state.json. */
export interface Input {
  tasks: unknown | 'fixture';
  state?: Json;
}

/**
 * A temp project: `.taskmaster/tasks/tasks.json` (the fixture's bytes — never a copy of the
 * read-only file) and `state.json` when given. Both sides start from identical projects.
 */
export async function makeProject(input: Input): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'tm-oracle-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, '.taskmaster', 'tasks'), { recursive: true });
  const bytes = input.tasks === 'fixture' ? await fixture() : `${JSON.stringify(input.tasks, null, 2)}\n`;
  await writeFile(tasksFile(root), bytes);
  if (input.state) await writeFile(join(root, '.taskmaster', 'state.json'), `${JSON.stringify(input.state, null, 2)}\n`);
  return root;
}

async function scratchHome(): Promise<string> {
  const home = await makeScratchHome();
  cleanups.push(() => rm(home, { recursive: true, force: true }));
  return home;
}

/** At most `n` at a time. */
function limiter(n: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async function limit<T>(fn: () => Promise<T>): Promise<T> {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** Two Task Master processes at a time: each takes a core for 4–18 s. */
const taskMasterSlot = limiter(2);

/** Runs the real Task Master in `root` with a scratch HOME. */
export async function theirs(root: string, args: string[]): Promise<TaskMasterRun> {
  const home = await scratchHome();
  return taskMasterSlot(() => runTaskMaster(root, args, { home, timeoutMs: 90_000 }));
}

export function ourBin(): string {
  if (!existsSync(OUR_BIN)) {
    throw new Error(`our CLI is not built at ${OUR_BIN}: run \`pnpm turbo run build --filter=@taskmaster/cli\` from the repository root`);
  }
  return OUR_BIN;
}

/** Runs our `taskmaster` in `root` (argv, no shell), colours off, same shape as a Task Master run. */
export async function ours(root: string, args: string[]): Promise<TaskMasterRun> {
  const bin = ourBin();
  const home = await scratchHome();
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, USERPROFILE: home, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env.TASK_MASTER_PROJECT_ROOT;
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, ms: Math.round(performance.now() - started), args });
    });
  });
}

/** One side's run and what it left behind. */
export interface Side {
  root: string;
  run: TaskMasterRun;
  /** tasks.json as written (parsed). */
  file: unknown;
  /** tasks.json's bytes. */
  bytes: string;
  /** state.json (parsed), when there is one. */
  state: Json | undefined;
}

export interface Outcome {
  theirs: Side;
  ours: Side;
  /** tasks.json's bytes before the command (both sides start from these). */
  before: string;
}

async function side(root: string, run: TaskMasterRun): Promise<Side> {
  const bytes = await readFile(tasksFile(root), 'utf8');
  const statePath = join(root, '.taskmaster', 'state.json');
  const state = existsSync(statePath) ? (JSON.parse(await readFile(statePath, 'utf8')) as Json) : undefined;
  return { root, run, file: JSON.parse(bytes), bytes, state };
}

/**
 * The oracle: two identical projects, the same command (`args`) run by `task-master` in one
 * and `taskmaster` in the other (`oursArgs` when our spelling differs, e.g. `--json`).
 */
export async function oracle(input: Input, args: string[], oursArgs: string[] = args): Promise<Outcome> {
  const [rootTheirs, rootOurs] = await Promise.all([makeProject(input), makeProject(input)]);
  const before = await readFile(tasksFile(rootTheirs), 'utf8');
  const [runTheirs, runOurs] = await Promise.all([theirs(rootTheirs, args), ours(rootOurs, oursArgs)]);
  return { theirs: await side(rootTheirs, runTheirs), ours: await side(rootOurs, runOurs), before };
}

