import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCodeServer, type CodeServer } from './harness/codeServer.js';
import { makeProject, removeProject, runCli } from './harness/project.js';
import { findTools, type E2eTools } from './harness/tools.js';
import { Workbench } from './harness/workbench.js';

/** How the extension starts in a folder where no sync server runs. */
describe('TaskMaster Sync without a running server', () => {
  let tools: E2eTools;
  let codeServer: CodeServer | undefined;
  let workbench: Workbench | undefined;
  const projects: string[] = [];

  beforeAll(async () => {
    tools = findTools();
    codeServer = await startCodeServer(tools.codeServer, tools.vsix);
  });

  afterAll(async () => {
    await workbench?.close().catch(() => {});
    await codeServer?.stop().catch(() => {});
    for (const root of projects) {
      await runCli(root, tools.cli, ['sync', 'server', 'stop']).catch(() => {});
      await removeProject(root);
    }
  });

  it('shows the tasks file read-only and says so in the status bar', async () => {
    const root = await makeProject(tools.cli);
    projects.push(root);
    workbench = await Workbench.open(tools.chromium, codeServer!.folderUrl(root));
    await workbench.showTasksView();
    await workbench.waitForRow((label) => label === 'Task 3: Ship the release, pending, medium priority', 30_000);
    await workbench.waitForStatus('offline', 15_000);
    expect(await workbench.statusBarText()).toContain('offline · 1/4');
    await workbench.page.locator('.part.sidebar', { hasText: 'Read-only: no sync server is running.' }).waitFor({ timeout: 5000 });
  });

  it('starts a server through the CLI when taskmaster.autoStartServer is on', async () => {
    const root = await makeProject(tools.cli);
    projects.push(root);
    await writeFile(
      path.join(root, '.vscode', 'settings.json'),
      JSON.stringify({ 'taskmaster.cliPath': tools.cli, 'taskmaster.autoStartServer': true, 'taskmaster.groupBy': 'tag' }, null, 2),
    );
    await workbench!.page.goto(codeServer!.folderUrl(root));
    await workbench!.page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
    await workbench!.showTasksView();
    await workbench!.waitForStatus('live', 30_000);
    const status = JSON.parse(await runCli(root, tools.cli, ['sync', 'server', 'status', '--json'])) as { running: boolean };
    expect(status.running).toBe(true);
    // Grouped by tag: both tags are roots, with done/total counts.
    await workbench!.waitForRow((label) => label === 'master, 4 tasks', 10_000);
    await workbench!.waitForRow((label) => label === 'feature, 1 tasks', 10_000);
  });
});
