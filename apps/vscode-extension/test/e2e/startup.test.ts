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
    await workbench.waitForRow((label) => label === 'Task 3: Ship the release, pending, medium priority, blocked by 2 (in-progress)', 30_000);
    await workbench.waitForStatus('offline', 15_000);
    expect(await workbench.statusBarText()).toContain('offline · 1/4');
    await workbench.page.locator('.part.sidebar', { hasText: 'Read-only: no sync server is running' }).waitFor({ timeout: 5000 });
  });

  it('offers edits disabled while read-only, says why, and offers to start a server', async () => {
    const page = workbench!;
    const tasks = page.pane('Tasks');
    await tasks.getByText('Read-only: no sync server is running, so editing is off. Run "TaskMaster: Start Server" to edit.').waitFor({ timeout: 5000 });
    // The view's toolbar: Add Task greyed out, Start Server offered.
    await tasks.locator('.pane-header .action-item.disabled a[aria-label="Add Task"]').waitFor({ state: 'attached', timeout: 5000 });
    await tasks.locator('.pane-header .action-item:not(.disabled) a[aria-label="Start Server"]').waitFor({ state: 'attached', timeout: 5000 });

    // A task's context menu shows the edits greyed out; reading stays available.
    const row = page.treeRows().filter({ hasText: 'Ship the release' }).first();
    await row.click({ button: 'right' });
    const menu = page.page.locator('.context-view .monaco-menu');
    await menu.waitFor({ timeout: 10_000 });
    const item = (label: string) => menu.locator('.action-item', { has: page.page.locator('.action-label', { hasText: new RegExp(`^${label}$`) }) });
    for (const edit of ['Set Status', 'Edit Title', 'Edit Description', 'Delete Task']) {
      expect(await item(edit).getAttribute('class'), edit).toContain('disabled');
    }
    expect(await item('Copy Task ID').getAttribute('class')).not.toContain('disabled');
    await page.page.keyboard.press('Escape');

    // The palette does not offer them at all.
    await page.page.keyboard.press('F1');
    const input = page.page.locator('.quick-input-widget input.input');
    const offered = page.page.locator('.quick-input-list .monaco-list-row .label-name');
    await input.fill('>TaskMaster: Set Status');
    // Fuzzy matching still lists Show Sync Status; once it shows, the list is complete.
    await offered.filter({ hasText: 'Show Sync Status' }).first().waitFor({ timeout: 10_000 });
    expect(await offered.allInnerTexts()).not.toContain('TaskMaster: Set Status');
    await input.fill('>TaskMaster: Copy Task ID');
    await page.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Copy Task ID' }).first().waitFor({ timeout: 10_000 });
    await page.page.keyboard.press('Escape');
  });

  it('opens a task as a read-only preview titled after it while no server runs (the board needs one)', async () => {
    const page = workbench!;
    await page.runCommand('TaskMaster: Open Task');
    await page.pick('Ship the release', 'Ship the release');
    const tab = page.page.locator('.tabs-container .tab', { hasText: 'Task 3: Ship the release' });
    await tab.first().waitFor({ timeout: 15_000 });
    expect(await tab.first().getAttribute('aria-label')).toContain('Preview Task 3: Ship the release');
    const preview = page.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await preview.locator('h1', { hasText: '3. Ship the release' }).waitFor({ timeout: 15_000 });
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
