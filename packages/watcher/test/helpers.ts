import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tagsOf, type TaggedTasksFile, type Task, type TaskChange } from '@taskmaster/protocol';
import { watchTasks, type TasksFileChange, type TasksFileProblem, type TasksWatcher, type WatchTasksOptions } from '../src/index.js';

/** The real Task Master file (read-only: tests copy it). */
export const FIXTURE = process.env.TASKMASTER_FIXTURE ?? fileURLToPath(new URL('../../../../shared/fixtures/taskmaster-repo-tasks.json', import.meta.url));

/** A project folder with `.taskmaster/tasks/tasks.json`, removed by `cleanup`. */
export interface Project {
  root: string;
  file: string;
  cleanup(): Promise<void>;
}

export async function makeProject(data?: unknown): Promise<Project> {
  const root = await mkdtemp(join(tmpdir(), 'tm-watcher-'));
  const dir = join(root, '.taskmaster', 'tasks');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'tasks.json');
  if (data !== undefined) await writeFile(file, JSON.stringify(data, null, 2));
  return { root, file, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** What a watcher reported, and the watcher itself. */
export interface Recorded {
  watcher: TasksWatcher;
  changes: TasksFileChange[];
  problems: TasksFileProblem[];
  /** How many times the file was put back as it was after a problem (`onRecovered`). */
  recovered: number;
  /** Every task event of every change, in order. */
  events(): TaskChange[];
}

export async function startWatching(file: string, options: WatchTasksOptions = {}): Promise<Recorded> {
  const changes: TasksFileChange[] = [];
  const problems: TasksFileProblem[] = [];
  const rec: Recorded = { watcher: undefined as unknown as TasksWatcher, changes, problems, recovered: 0, events: () => changes.flatMap((c) => c.changes) };
  rec.watcher = watchTasks(file, (c) => changes.push(c), { ...options, onProblem: (p) => problems.push(p), onRecovered: () => rec.recovered++ });
  await rec.watcher.ready;
  return rec;
}

/** The tasks of `tag` in the watcher's last good state. */
export function currentTasks(rec: Recorded, tag = 'master'): Task[] | undefined {
  const state = rec.watcher.current();
  return state && tagsOf(state.data)[tag]?.tasks;
}

/** Polls `cond` until it holds; fails after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A bounded quiet period, to check that nothing more arrives. */
export const quietFor = (ms = 300) => new Promise((r) => setTimeout(r, ms));

/**
 * Another process writes each of `versions` in turn the way Task Master and
 * editors do: to a temp file beside tasks.json, then renamed over it.
 */
export async function renameWritesFromChild(file: string, versions: unknown[]): Promise<void> {
  const script = `
    const fs = require('node:fs');
    let input = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d) => (input += d));
    process.stdin.on('end', () => {
      JSON.parse(input).forEach((text, i) => {
        const tmp = process.argv[1] + '.tmp-' + process.pid + '-' + i;
        fs.writeFileSync(tmp, text);
        fs.renameSync(tmp, process.argv[1]);
      });
    });`;
  const texts = versions.map((v) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2)));
  const child = spawn(process.execPath, ['-e', script, file], { stdio: ['pipe', 'ignore', 'inherit'] });
  const exited = once(child, 'exit');
  child.stdin.end(JSON.stringify(texts));
  const [code] = (await exited) as [number | null];
  if (code !== 0) throw new Error(`the writer process exited with ${code}`);
}

/** One rename-write by another process. */
export const renameWriteFromChild = (file: string, data: unknown) => renameWritesFromChild(file, [data]);

export function task(id: number, fields: Partial<Task> = {}): Task {
  return { id, title: `Task ${id}`, description: `About task ${id}`, status: 'pending', dependencies: [], priority: 'medium', ...fields };
}

/** A small tagged file: master with tasks 1–5 (task 5 has subtasks 5.1–5.3), and a `feature` tag. */
export function sampleFile(): TaggedTasksFile {
  return {
    master: {
      tasks: [
        task(1, { status: 'done' }),
        task(2),
        task(3, { dependencies: [1, 2] }),
        task(4),
        task(5, {
          subtasks: [1, 2, 3].map((n) => ({ id: n, title: `Step ${n}`, status: 'pending', dependencies: [] })),
        }),
      ],
      metadata: { created: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:00:00.000Z', description: 'Tasks for master context' },
    },
    feature: { tasks: [task(1, { title: 'Feature work' })], metadata: { description: 'feature branch' } },
  };
}

/** A deep copy to edit. */
export const clone = <T>(value: T): T => structuredClone(value);
