import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI, run the way a user runs it. */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
/** The real Task Master file of the task-master repository (read-only). */
export const FIXTURE = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/fixtures/taskmaster-repo-tasks.json');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();
const projects = new Set<string>();

/** Runs `taskmaster …` to completion in `cwd`. Colours are off: stdout is a pipe. */
export function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = start(args, cwd, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `taskmaster … --json` and parses stdout. */
export async function runJson<T = any>(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<T> {
  const r = await run([...args, '--json'], cwd, env);
  if (r.code !== 0) throw new Error(`taskmaster ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Starts a long-running `taskmaster …` (watch, --foreground); killed by {@link cleanUp}. */
export function start(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', TASK_MASTER_PROJECT_ROOT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Resolves with the first line of `stream` matching `test`. */
export function waitForLine(stream: NodeJS.ReadableStream, test: (line: string) => boolean, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      stream.off('data', onData);
      reject(new Error(`no matching line within ${timeoutMs} ms; got: ${buffer.slice(-500)}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      const hit = lines.find(test);
      if (hit !== undefined) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(hit);
      }
    };
    stream.on('data', onData);
  });
}

/** A temp folder initialised with `taskmaster init`; `fixture` copies the real tasks file in. */
export async function makeProject({ fixture = false } = {}): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'taskmaster-cli-'));
  projects.add(dir);
  const r = await run(['init'], dir);
  if (r.code !== 0) throw new Error(`init failed: ${r.stderr}`);
  // The bytes, not the file: a copy would keep the fixture's read-only mode, which the store refuses to replace.
  if (fixture) writeFileSync(tasksFile(dir), readFileSync(FIXTURE));
  return dir;
}

/** A temp folder without `.taskmaster`. */
export function emptyDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'taskmaster-cli-'));
  projects.add(dir);
  return dir;
}

export function tasksFile(dir: string): string {
  return path.join(dir, '.taskmaster', 'tasks', 'tasks.json');
}

export function readTasks(dir: string): any {
  return JSON.parse(readFileSync(tasksFile(dir), 'utf8'));
}

export function connectionFile(dir: string): string {
  return path.join(dir, '.taskmaster', 'config', 'connection.json');
}

export function pidFile(dir: string): string {
  return path.join(dir, '.taskmaster', 'config', 'server.pid');
}

/** The token a running server of `dir` requires, read from connection.json as a client reads it. */
export function connectionToken(dir: string): string {
  const token = (JSON.parse(readFileSync(connectionFile(dir), 'utf8')) as { token?: string }).token;
  if (token === undefined) throw new Error(`no token in ${connectionFile(dir)}`);
  return token;
}

/** Starts a daemon on free ports and returns its connection (without token). */
export async function startDaemon(dir: string, extra: string[] = []): Promise<any> {
  return runJson(['sync', 'server', 'start', '--port', '0', '--http-port', '0', ...extra], dir);
}

/** Stops every daemon of the test projects, kills children, removes temp folders. */
export async function cleanUp(): Promise<void> {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  await Promise.all([...projects].map((dir) => run(['sync', 'server', 'stop', '--root', dir], dir).catch(() => undefined)));
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
  projects.clear();
}

/** A pid that belongs to no process: a child that has exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  const pid = child.pid!;
  await new Promise((resolve) => child.on('exit', resolve));
  return pid;
}
