import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createServer, type SyncServer } from '@taskmaster/server';

const run = promisify(execFile);

/** A small project: four tasks in the master tag, one with subtasks, various statuses; a second tag. */
export const SAMPLE_TASKS = {
  master: {
    tasks: [
      { id: 1, title: 'Set up the repository', description: 'Monorepo with pnpm', status: 'done', priority: 'high', dependencies: [] },
      {
        id: 2,
        title: 'Write the tasks parser',
        description: 'Parse .taskmaster/tasks/tasks.json',
        status: 'in-progress',
        priority: 'high',
        dependencies: [1],
        subtasks: [
          { id: 1, title: 'Tokenizer', status: 'done', dependencies: [] },
          { id: 2, title: 'Schema validation', status: 'pending', dependencies: [1] },
        ],
      },
      { id: 3, title: 'Ship the release', description: 'Tag and publish', status: 'pending', priority: 'medium', dependencies: [2] },
      { id: 4, title: 'Document the API', status: 'pending', priority: 'low', dependencies: [] },
    ],
    metadata: { created: '2026-01-01T00:00:00.000Z', updated: '2026-01-01T00:00:00.000Z', description: 'Tasks for master context' },
  },
  feature: { tasks: [{ id: 1, title: 'Dark mode', status: 'pending', dependencies: [] }] },
};

/**
 * The Task Master repository's own tasks file (182 tasks in 9 tags), beside the clone; read-only (0444),
 * so projects get its bytes, never a copy of the file (a copy keeps the mode the store refuses to replace).
 */
export const FIXTURE = fileURLToPath(new URL('../../../../../../shared/fixtures/taskmaster-repo-tasks.json', import.meta.url));

/** What a test project's tasks file holds: the small {@link SAMPLE_TASKS} or the real {@link FIXTURE}. */
export type ProjectTasks = 'sample' | 'fixture';

/** A temp folder with `.taskmaster` holding {@link SAMPLE_TASKS} (or the fixture); the extension runs `cli` to start servers. */
export async function makeProject(cli: string, tasks: ProjectTasks = 'sample'): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'tm-vscode-e2e-'));
  await mkdir(path.join(root, '.vscode'), { recursive: true });
  await writeFile(path.join(root, '.vscode', 'settings.json'), JSON.stringify({ 'taskmaster.cliPath': cli }, null, 2));
  await mkdir(path.join(root, '.taskmaster', 'tasks'), { recursive: true });
  await mkdir(path.join(root, '.taskmaster', 'config'), { recursive: true });
  const content = tasks === 'fixture' ? await readFile(FIXTURE) : JSON.stringify(SAMPLE_TASKS, null, 2);
  await writeFile(path.join(root, '.taskmaster', 'tasks', 'tasks.json'), content);
  await writeFile(path.join(root, '.taskmaster', 'state.json'), JSON.stringify({ currentTag: 'master' }, null, 2));
  return root;
}

/** Reads the project's tasks file as it is on disk now. */
export async function readTasks(root: string): Promise<typeof SAMPLE_TASKS> {
  return JSON.parse(await readFile(path.join(root, '.taskmaster', 'tasks', 'tasks.json'), 'utf8'));
}

/**
 * Polls the tasks file until `predicate` holds; throws with what it held last.
 * Clients hear of a change before the file holds it (file.changed says when),
 * so checks of the file wait for it.
 */
export async function waitForFile(
  root: string,
  predicate: (data: Awaited<ReturnType<typeof readTasks>>) => boolean,
  timeoutMs = 5000,
): Promise<Awaited<ReturnType<typeof readTasks>>> {
  const deadline = Date.now() + timeoutMs;
  let data: Awaited<ReturnType<typeof readTasks>> | undefined;
  while (Date.now() < deadline) {
    data = await readTasks(root).catch(() => undefined); // a write in progress may be half done
    if (data && predicate(data)) return data;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the tasks file did not reach the expected state within ${timeoutMs} ms: ${JSON.stringify(data)}`);
}

/** A sync server for the project; `restart()` brings it back on the same ports. */
export class ProjectServer {
  private server: SyncServer | undefined;
  private ports: { port: number; httpPort: number } = { port: 0, httpPort: 0 };

  constructor(private readonly root: string) {}

  /** Starts with defaults, as a user's server: a fresh token each start, in connection.json for the extension to read. */
  async start(): Promise<void> {
    this.server = await createServer({ root: this.root, ...this.ports });
    this.ports = { port: this.server.port, httpPort: this.server.httpPort };
  }

  /** Closes the server; fails after 15 s instead of hanging the suite. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the sync server did not close within 15 s')), 15_000);
    });
    try {
      await Promise.race([server.close(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Runs the taskmaster CLI in the project, as another process would. */
export async function runCli(root: string, cli: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [cli, ...args], { cwd: root, timeout: 30_000 });
  return stdout;
}

/** Removes a temp project. */
export async function removeProject(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}
