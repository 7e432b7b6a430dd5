import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import zlib from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import readline from 'node:readline';
import { storePaths } from '../src/paths.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The real Task Master file (read-only): copy it, never write it. */
export const FIXTURE = path.resolve(here, '../../../../shared/fixtures/taskmaster-repo-tasks.json');
export const FIXTURE_TEXT = fs.readFileSync(FIXTURE, 'utf8');

/** The built package, which child processes import. */
export const DIST = path.resolve(here, '../dist/index.js');
if (!fs.existsSync(DIST)) throw new Error('dist/ is missing: run `pnpm --filter @taskmaster/store build` before the tests');

const dirs: string[] = [];
const children = new Set<ChildProcess>();

/** A fresh project folder with `.taskmaster/tasks/` (and tasks.json when `tasks` is given). */
export function tempProject(tasks?: string | object): { root: string; tasksFile: string; lockFile: string; historyDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-store-'));
  dirs.push(root);
  const tasksDir = path.join(root, '.taskmaster', 'tasks');
  fs.mkdirSync(tasksDir, { recursive: true });
  const tasksFile = path.join(tasksDir, 'tasks.json');
  if (tasks !== undefined) fs.writeFileSync(tasksFile, typeof tasks === 'string' ? tasks : JSON.stringify(tasks, null, 2));
  return { root, tasksFile, lockFile: `${tasksFile}.lock`, historyDir: path.join(tasksDir, 'history') };
}

/** A project holding a copy of the real fixture. */
export function fixtureProject() {
  return tempProject(FIXTURE_TEXT);
}

/** Removes temp folders and kills children left by a test. */
export function cleanup(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A running child script from test/fixtures, with its stdout as lines. */
export interface Child {
  process: ChildProcess;
  lines: string[];
  /** Resolves with the first line matching `pattern`. */
  waitFor(pattern: RegExp): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  send(line: string): void;
}

/**
 * Root's way past file modes: without these capabilities even root gets
 * EACCES from a chmod 444 file, as any user would. (Running as another user
 * instead would need every folder above the checkout to be open to it.)
 */
const FILE_MODE_OVERRIDES = '-dac_override,-dac_read_search';

/**
 * Spawns `node test/fixtures/<script>` with `args`. With `respectFileModes`,
 * a root test run starts it without the capabilities that ignore file modes.
 */
export function startChild(script: string, args: string[], options: { respectFileModes?: boolean; env?: NodeJS.ProcessEnv } = {}): Child {
  const node = [process.execPath, path.join(here, 'fixtures', script), ...args];
  const asRoot = process.getuid?.() === 0;
  const [command, ...rest] = options.respectFileModes && asRoot ? ['setpriv', '--bounding-set', FILE_MODE_OVERRIDES, '--', ...node] : node;
  const proc = spawn(command!, rest, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  children.add(proc);
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += String(d)));
  readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.pattern.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    process: proc,
    lines,
    exited,
    waitFor(pattern) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exited.then(({ code, signal }) =>
          reject(new Error(`${script} exited (${code ?? signal}) before printing ${pattern}: ${stderr.slice(-500)}`)),
        );
      });
    },
    send(line) {
      proc.stdin!.write(`${line}\n`);
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True once `promise` has settled (checked without waiting). */
export async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<{ code: number; message: string; data?: any }> {
  try {
    await promise;
  } catch (err) {
    return err as { code: number; message: string; data?: any };
  }
  throw new Error('expected the promise to reject');
}

/** Files in a folder, or [] when it does not exist. */
export function filesIn(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

/** Temp files of atomic writes left in the project's tasks folder or its staging folder, where the store makes them. */
export function tempFilesLeft(root: string): string[] {
  const { tasksDir, stagingDir } = storePaths(root);
  return [...filesIn(tasksDir), ...filesIn(stagingDir)].filter((n) => n.endsWith('.tmp'));
}

/** The text of history snapshot `id`: gzipped (`.json.gz`), or plain as older versions wrote it. */
export function readSnapshot(historyDir: string, id: string): string {
  const packed = path.join(historyDir, `${id}.json.gz`);
  if (fs.existsSync(packed)) return zlib.gunzipSync(fs.readFileSync(packed)).toString('utf8');
  return fs.readFileSync(path.join(historyDir, `${id}.json`), 'utf8');
}
