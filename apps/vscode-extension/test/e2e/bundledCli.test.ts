import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOnPath } from '../../src/serverProcess.js';
import { startCodeServer, type CodeServer } from './harness/codeServer.js';
import { makeProject, removeProject, runCli } from './harness/project.js';
import { findTools, type E2eTools } from './harness/tools.js';
import { Workbench } from './harness/workbench.js';

/** The PATH without its folders that hold a taskmaster (pnpm puts node_modules/.bin on it). */
function pathWithoutTaskmaster(): string {
  const dirs = (process.env.PATH ?? '').split(path.delimiter);
  return dirs.filter((dir) => !findOnPath('taskmaster', { PATH: dir })).join(path.delimiter);
}

/** A machine without the CLI: no taskmaster on the PATH, taskmaster.cliPath empty; the extension's own copy does the work. */
describe('TaskMaster Sync with only its bundled CLI', () => {
  let tools: E2eTools;
  let codeServer: CodeServer | undefined;
  let workbench: Workbench | undefined;
  const projects: string[] = [];

  beforeAll(async () => {
    tools = findTools();
    const PATH = pathWithoutTaskmaster();
    expect(findOnPath('taskmaster', { PATH })).toBeUndefined();
    codeServer = await startCodeServer(tools.codeServer, tools.vsix, { PATH });
  });

  afterAll(async () => {
    await workbench?.close().catch(() => {});
    await codeServer?.stop().catch(() => {});
    for (const root of projects) {
      await runCli(root, tools.cli, ['sync', 'server', 'stop']).catch(() => {});
      await removeProject(root);
    }
  });

  it('"Start Server" starts the bundled server and the tree shows the tasks', async () => {
    const root = await makeProject(tools.cli);
    projects.push(root);
    await writeFile(path.join(root, '.vscode', 'settings.json'), JSON.stringify({ 'taskmaster.cliPath': '' }));
    workbench = await Workbench.open(tools.chromium, codeServer!.folderUrl(root));
    await workbench.showTasksView();
    await workbench.waitForStatus('offline', 30_000);
    await workbench.runCommand('TaskMaster: Start Server');
    await workbench.waitForStatus('live', 30_000);
    await workbench.waitForRow((label) => label === 'Task 3: Ship the release, pending, medium priority, blocked by 2 (in-progress)', 10_000);
    // The daemon is the extension's own dist/taskmaster.cjs, run by the editor's node.
    const status = JSON.parse(await runCli(root, tools.cli, ['sync', 'server', 'status', '--json'])) as { running: boolean; pid: number };
    expect(status.running).toBe(true);
    const argv = readFileSync(`/proc/${status.pid}/cmdline`, 'utf8').split('\0');
    expect(argv.find((arg) => arg.endsWith(path.join('dist', 'taskmaster.cjs')))).toMatch(/taskmaster-sync.*dist\/taskmaster\.cjs$/);
  });

  it('offers "Initialize Task Master" in a folder without .taskmaster, and shows the new empty project', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'tm-vscode-e2e-'));
    projects.push(root);
    await workbench!.page.goto(codeServer!.folderUrl(root));
    await workbench!.page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
    await workbench!.page.locator('.activitybar .action-item a[aria-label^="TaskMaster"]').first().click({ timeout: 30_000 });
    const sidebar = workbench!.page.locator('.part.sidebar');
    await sidebar.getByText('This folder has no Task Master project (.taskmaster/tasks/tasks.json) yet.').waitFor({ timeout: 30_000 });
    await sidebar.locator('.monaco-button', { hasText: /^Initialize Task Master$/ }).click({ timeout: 10_000 });
    await workbench!.waitForStatus('offline', 30_000);
    expect(await workbench!.statusBarText()).toContain('offline · 0/0');
    expect(existsSync(path.join(root, '.taskmaster', 'tasks', 'tasks.json'))).toBe(true);
    // The tree's message replaces the welcome: the project is there, empty and read-only until a server runs.
    await sidebar.getByText('Read-only: no sync server is running. Run "TaskMaster: Start Server" to add tasks.').waitFor({ timeout: 10_000 });
    expect(await sidebar.locator('.monaco-button', { hasText: /^Initialize Task Master$/ }).count()).toBe(0);
  });

  it("offers it too where Task Master's own init left .taskmaster without a tasks file, and keeps Task Master's files", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'tm-vscode-e2e-'));
    projects.push(root);
    const taskMasterConfig = JSON.stringify({ models: { main: { provider: 'anthropic' } } }, null, 2);
    await mkdir(path.join(root, '.taskmaster'), { recursive: true });
    await writeFile(path.join(root, '.taskmaster', 'config.json'), taskMasterConfig);
    await workbench!.page.goto(codeServer!.folderUrl(root));
    await workbench!.page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
    await workbench!.page.locator('.activitybar .action-item a[aria-label^="TaskMaster"]').first().click({ timeout: 30_000 });
    const sidebar = workbench!.page.locator('.part.sidebar');
    await sidebar.locator('.monaco-button', { hasText: /^Initialize Task Master$/ }).click({ timeout: 30_000 });
    await workbench!.waitForStatus('offline', 30_000);
    expect(existsSync(path.join(root, '.taskmaster', 'tasks', 'tasks.json'))).toBe(true);
    expect(readFileSync(path.join(root, '.taskmaster', 'config.json'), 'utf8')).toBe(taskMasterConfig);
    // No red error about a missing tasks file: the status bar says offline, not error.
    expect(await workbench!.statusBarLabel()).not.toContain('error');
  });
});
