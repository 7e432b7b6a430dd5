import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file is tests/task-master-runner/src/index.ts. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The version .ci/task-master-setup.sh pins; what the tests reproduce or compare with is this version's. */
export const TASK_MASTER_VERSION = '0.43.1';

const BIN = join(REPO_ROOT, '.tools', 'task-master', 'node_modules', '.bin', 'task-master');

/**
 * The Task Master CLI's script. A missing install fails the test with the fix
 * spelled out: skipping would let CI pass without ever running Task Master,
 * which is the whole point of the tests that use it.
 */
export function taskMasterScript(): string {
  if (!existsSync(BIN)) {
    throw new Error(
      `Task Master CLI (task-master-ai ${TASK_MASTER_VERSION}) is not installed at .tools/task-master. ` +
        'Run `bash .ci/task-master-setup.sh` from the repository root (CI runs it before the tests).',
    );
  }
  // Run with our own node (process.execPath) rather than the bin's `#!/usr/bin/env node`,
  // so the tests never depend on which node PATH finds first.
  return realpathSync(BIN);
}

/** `.taskmaster/tasks/tasks.json` of a project. */
export const tasksFile = (root: string) => join(root, '.taskmaster', 'tasks', 'tasks.json');

/** What one Task Master command did. */
export interface TaskMasterRun {
  /** Exit code; null when it was killed (timeout). */
  code: number | null;
  /** Output without ANSI escapes. */
  stdout: string;
  stderr: string;
  /** Wall time, ms. */
  ms: number;
  args: string[];
}

/**
 * A new scratch HOME: Task Master keeps auth, update checks and telemetry ids
 * under HOME, and must never read or write the developer's. The caller removes it.
 */
export function makeScratchHome(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'tm-home-'));
}

const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** The environment a Task Master run gets: `home` as HOME and XDG dirs, offline and colourless. */
export function taskMasterEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    TASKMASTER_SKIP_AUTO_UPDATE: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
  // Task Master honours this variable before its walk up from cwd; a developer's
  // setting (our own start script reads it too) would send it to another project.
  delete env.TASK_MASTER_PROJECT_ROOT;
  return env;
}

export interface RunOptions {
  /** HOME for the run (see {@link makeScratchHome}); required so no run ever sees the developer's. */
  home: string;
  /** Killed after this long (the run then has code null); default 60 s. */
  timeoutMs?: number;
  /**
   * Node options before Task Master's script (e.g. `--require` of a test's
   * preload), and variables added to its environment: a test can hold the
   * real CLI at a chosen point without changing a line of its code.
   */
  node?: { args?: string[]; env?: NodeJS.ProcessEnv };
  /** Kills the run (SIGKILL) when aborted: a test's clean-up ends a run it no longer waits for. */
  signal?: AbortSignal;
}

/**
 * Runs the real Task Master CLI in `root` (it finds the project by walking up
 * to `.taskmaster`), arguments passed as argv — never through a shell, so
 * titles with spaces or quotes arrive as written.
 */
export function runTaskMaster(root: string, args: string[], { home, timeoutMs = 60_000, node, signal }: RunOptions): Promise<TaskMasterRun> {
  const script = taskMasterScript();
  const env = { ...taskMasterEnv(home), ...node?.env };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(node?.args ?? []), script, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], signal, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      stderr += `\n[task-master-runner] killed after ${timeoutMs} ms\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: stripAnsi(stdout), stderr: stripAnsi(stderr), ms: Math.round(performance.now() - started), args });
    });
  });
}

/**
 * Whether a run failed to get tasks.json's lock. Task Master has two lock code
 * paths: `writeJSON`'s `wx` file ("Failed to acquire lock … after 5 attempts")
 * and tm-core's proper-lockfile ("Lock file is already being held", ELOCKED).
 */
export function lockFailure(run: TaskMasterRun): string | undefined {
  const m = /Failed to acquire lock[^\n]*|Lock file is already being held[^\n]*|ELOCKED[^\n]*/i.exec(`${run.stdout}\n${run.stderr}`);
  return m?.[0];
}

/**
 * A one-line account of a run, for assertion messages: its failure lines when
 * there are any (tm-core's set-status reports a lock it could not get only as
 * "Failed to update task status for N"), else its last lines; box drawing dropped.
 */
export function describeRun(run: TaskMasterRun): string {
  const lines = `${run.stderr}\n${run.stdout}`
    .split('\n')
    .map((l) => l.replace(/[│╭╮╰╯─✅]/g, '').trim())
    .filter(Boolean);
  const failing = lines.filter((l) => /fail|error|lock|not found|invalid|killed/i.test(l));
  const said = [...new Set(failing.length ? failing : lines.slice(-2))].slice(0, 4).join(' | ');
  return `task-master ${run.args.join(' ')} → code ${run.code} in ${run.ms} ms${said ? `: ${said}` : ''}`;
}
