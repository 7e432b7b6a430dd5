import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type ServerOptions, type SyncServer } from '@taskmaster/server';
import { initProject } from '@taskmaster/store';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The board's build, as the CLI ships it and the server serves it. */
export const BOARD_DIST = path.resolve(HERE, '../dist');
/** The real Task Master file of the task-master repository (read-only). */
export const FIXTURE = path.resolve(HERE, '../../../../shared/fixtures/taskmaster-repo-tasks.json');
/** The built taskmaster CLI, run as a user runs it. */
export const CLI = path.resolve(HERE, '../../cli/dist/bin.js');

/** The flags that let Debian's chromium run headless as root in a container (as the VS Code e2e tests launch it). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SETUP_HINT = 'run .ci/e2e-vscode-setup.sh from the repository root (installs chromium)';

const cleanups: Array<() => Promise<unknown>> = [];

/** Runs every registered cleanup (browsers, servers, temp dirs), newest first. */
export async function cleanup(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
}

/** A temp project holding the fixture's bytes (or `tasks`), laid out by initProject. */
export async function makeProject(tasks?: unknown): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'tm-board-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  await initProject(root);
  // The bytes, not the file: a copy would keep the fixture's read-only mode, which the store refuses to replace.
  const text = tasks === undefined ? await readFile(FIXTURE) : `${JSON.stringify(tasks, null, 2)}\n`;
  await writeFile(tasksFile(root), text);
  return root;
}

export function tasksFile(root: string): string {
  return path.join(root, '.taskmaster', 'tasks', 'tasks.json');
}

/** The tasks file as it is on disk now. */
export async function readTasks(root: string): Promise<any> {
  return JSON.parse(await readFile(tasksFile(root), 'utf8'));
}

/** A task of `tag` as the file holds it. */
export async function taskOnDisk(root: string, tag: string, id: number | string): Promise<any> {
  const file = await readTasks(root);
  return file[tag].tasks.find((t: { id: unknown }) => String(t.id) === String(id));
}

/** A real sync server on 127.0.0.1, free ports, serving the board's build; a token is required, as by default. */
export async function startServer(root: string, options: Partial<ServerOptions> = {}): Promise<SyncServer & { token: string }> {
  if (!existsSync(path.join(BOARD_DIST, 'index.html'))) throw new Error('apps/board/dist is missing: run pnpm --filter @taskmaster/board build first');
  const server = await createServer({ root, host: '127.0.0.1', port: 0, httpPort: 0, batchWindowMs: 10, boardDir: BOARD_DIST, token: true, ...options });
  cleanups.push(() => server.close());
  return server as SyncServer & { token: string };
}

/** Debian's chromium through playwright-core, with a fresh profile; never downloads a browser. */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`chromium is not installed (looked for ${executablePath}): ${SETUP_HINT}`);
  const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...extraArgs] });
  cleanups.push(() => browser.close());
  return browser;
}

/** The board's address as `taskmaster board` prints it: the token in the fragment. */
export function boardUrl(server: SyncServer, token = server.token): string {
  return `${server.httpUrl}/#token=${encodeURIComponent(token ?? '')}`;
}

/**
 * Opens the board in a new page and waits until it is live with its cards
 * drawn. `webSockets: false` refuses the page's WebSockets, as a proxy that
 * does not pass them would: the board falls back to HTTP polling.
 */
export async function openBoard(browser: Browser, server: SyncServer, options: BrowserContextOptions = {}, { webSockets = true } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...options });
  if (!webSockets) await context.routeWebSocket(/./, (ws) => ws.close({ code: 1008, reason: 'no WebSockets here' }));
  const page = await context.newPage();
  await page.goto(boardUrl(server));
  await page.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor();
  await page.locator('[data-task-id]').first().waitFor();
  return page;
}

/** Runs the built `taskmaster` CLI in `cwd` to completion. */
export function runCli(args: string[], cwd: string, timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(CLI)) throw new Error('the taskmaster CLI is not built: run pnpm --filter @taskmaster/cli build first');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', TASK_MASTER_PROJECT_ROOT: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Registers a cleanup of the caller's own (e.g. stopping a daemon). */
export function register(fn: () => Promise<unknown>): void {
  cleanups.push(fn);
}

/** Polls `check` until it holds (returns without throwing) or `timeoutMs` passes. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** Where tests leave their screenshots (git-ignored). */
const ARTIFACTS = path.resolve(HERE, '../test-artifacts');
/** The README's pictures: refreshed on request only (UPDATE_SCREENSHOT=1), so a test run leaves the work tree clean. */
const README_SHOTS = path.resolve(HERE, '../../../docs/board');

/** Saves a screenshot of `page` as `name` among the test artifacts, and into docs/board with UPDATE_SCREENSHOT. */
export async function saveShot(page: { screenshot(options: { path: string }): Promise<unknown> }, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, name) });
  if (process.env.UPDATE_SCREENSHOT) {
    await mkdir(README_SHOTS, { recursive: true });
    await copyFile(path.join(ARTIFACTS, name), path.join(README_SHOTS, name));
  }
}
