import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type TaskmasterClient } from '@taskmaster/client';
import type { EventPayload } from '@taskmaster/protocol';
import { createServer, type SyncServer } from '@taskmaster/server';
import type { CodeServer } from './harness/codeServer.js';
import { LiveProject } from './harness/liveProject.js';
import { readTasks, runCli, waitForFile } from './harness/project.js';
import type { E2eTools } from './harness/tools.js';
import type { Workbench } from './harness/workbench.js';

interface DiskTask {
  id: number;
  title: string;
  description?: string;
  subtasks?: Array<{ id: number; title: string }>;
}

/** Waits until no tree row satisfies `predicate`; throws with the rows seen. */
async function waitForNoRow(page: Workbench, predicate: (label: string) => boolean, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let labels: string[] = [];
  while (Date.now() < deadline) {
    labels = await page.treeLabels();
    if (labels.length > 0 && !labels.some(predicate)) return labels;
    await page.page.waitForTimeout(50);
  }
  throw new Error(`a tree row still matched after ${timeoutMs} ms; rows: ${JSON.stringify(labels)}`);
}

/** Waits for the input box titled `title` (the quick input is reused between prompts), types `value` and accepts. */
async function answerTitled(page: Workbench, title: string, value: string): Promise<void> {
  const widget = page.page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 10_000 });
  const input = widget.locator('input.input');
  await input.fill(value);
  await page.page.keyboard.press('Enter');
}

const taskRows = (labels: string[]) => labels.filter((label) => label.startsWith('Task '));

/** The commands that change tasks and the view, run through the palette of a real VS Code. */
describe('TaskMaster Sync commands in VS Code', () => {
  let tools: E2eTools;
  let root: string | undefined;
  let live: LiveProject | undefined;
  let tokenServer: SyncServer | undefined;
  let codeServer: CodeServer | undefined;
  let workbench: Workbench | undefined;
  let observer: TaskmasterClient | undefined;

  beforeAll(async () => {
    live = await LiveProject.open();
    ({ tools, root, codeServer, workbench } = live);
    // Copy Task ID and the merge draft go through the page's clipboard.
    await workbench.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: codeServer.url });
    await workbench.showTasksView();
    await workbench.waitForRow((label) => label.startsWith('Task 3: Ship the release'), 30_000);
    await workbench.waitForStatus('live', 15_000);
  });

  afterAll(async () => {
    await observer?.close().catch(() => {});
    await tokenServer?.close().catch(() => {});
    await live?.close();
  });

  it('adds a task through the palette: the tree shows it and the file has it', async () => {
    const page = workbench!;
    await page.runCommand('TaskMaster: Add Task');
    await answerTitled(page, 'New task in tag master', 'Write the changelog');
    await answerTitled(page, 'Description (optional)', 'Everything since 0.9');

    const row = await page.waitForRow((label) => label.startsWith('Task 5: Write the changelog'), 10_000);
    expect(row).toMatch(/^Task 5: Write the changelog, pending/);
    const onDisk = await waitForFile(root!, (d) => d.master.tasks.some((t) => t.id === 5), 5000);
    expect(onDisk.master.tasks.find((t) => t.id === 5)).toMatchObject({ title: 'Write the changelog', description: 'Everything since 0.9', status: 'pending' });
  });

  it('adds a subtask, shown as a child of its task', async () => {
    const page = workbench!;
    await page.runCommand('TaskMaster: Add Subtask');
    await page.pick('changelog', 'Write the changelog');
    await answerTitled(page, 'New subtask of task 5', 'Collect merged PRs');

    const onDisk = await waitForFile(root!, (d) => ((d.master.tasks.find((t) => t.id === 5) as DiskTask | undefined)?.subtasks?.length ?? 0) > 0, 10_000);
    expect((onDisk.master.tasks.find((t) => t.id === 5) as DiskTask).subtasks).toEqual([expect.objectContaining({ id: 1, title: 'Collect merged PRs' })]);

    // The task now has children: it gets a twistie, and expanding it shows the subtask one level deeper.
    const parent = page.page.locator('.part.sidebar .pane-body .monaco-list-row[aria-label^="Task 5: Write the changelog"]');
    await parent.first().locator('.monaco-tl-twistie.collapsible').waitFor({ timeout: 10_000 });
    if ((await parent.first().getAttribute('aria-expanded')) !== 'true') await parent.first().locator('.monaco-tl-twistie').click();
    await page.waitForRow((label) => label === 'Task 5.1: Collect merged PRs, pending', 5000);
    const child = page.page.locator('.part.sidebar .pane-body .monaco-list-row[aria-label="Task 5.1: Collect merged PRs, pending"]');
    const parentLevel = Number(await parent.first().getAttribute('aria-level'));
    expect(Number(await child.getAttribute('aria-level'))).toBe(parentLevel + 1);
  });

  it('edits a title: the tree and the file follow', async () => {
    const page = workbench!;
    await page.runCommand('TaskMaster: Edit Title');
    await page.pick('changelog', '5 Write the changelog');
    await page.answerInput('Write the changelog', 'Write the release notes');

    await page.waitForRow((label) => label.startsWith('Task 5: Write the release notes'), 10_000);
    await waitForNoRow(page, (label) => label.includes('Write the changelog'), 5000);
    const onDisk = await waitForFile(root!, (d) => d.master.tasks.find((t) => t.id === 5)?.title !== 'Write the changelog', 5000);
    expect(onDisk.master.tasks.find((t) => t.id === 5)?.title).toBe('Write the release notes');
  });

  it('deletes a task after the modal confirmation, and other clients hear task.deleted', async () => {
    const page = workbench!;
    observer = createClient({ root: root!, clientName: 'e2e-observer', subscribe: ['task.*'] });
    await observer.ready(10_000);
    const deleted: Array<EventPayload<'task.deleted'>> = [];
    const received = new Promise<EventPayload<'task.deleted'>>((resolve) => {
      observer!.on('task.deleted', (payload) => {
        deleted.push(payload);
        if (payload.id === '5') resolve(payload);
      });
    });

    // Cancel first: the dialog goes away and the task stays.
    await page.runCommand('TaskMaster: Delete Task');
    await page.pick('release notes', '5 Write the release notes');
    const dialog = page.page.locator('.monaco-dialog-box');
    await dialog.filter({ hasText: 'Delete task 5 "Write the release notes"?' }).waitFor({ timeout: 10_000 });
    expect(await dialog.innerText()).toContain('Its subtasks are deleted too');
    await dialog.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
    await dialog.waitFor({ state: 'detached', timeout: 5000 });

    await page.runCommand('TaskMaster: Delete Task');
    await page.pick('release notes', '5 Write the release notes');
    await dialog.filter({ hasText: 'Delete task 5 "Write the release notes"?' }).waitFor({ timeout: 10_000 });
    await dialog.locator('.monaco-button', { hasText: /^Delete$/ }).click();

    const event = await received;
    expect(event).toMatchObject({ tag: 'master', id: '5' });
    // Only the confirmed delete reached the server: the cancelled one sent nothing.
    expect(deleted.filter((p) => p.id === '5')).toHaveLength(1);
    await waitForNoRow(page, (label) => label.startsWith('Task 5'), 5000);
    const onDisk = await waitForFile(root!, (d) => !d.master.tasks.some((t) => t.id === 5), 5000);
    expect(onDisk.master.tasks.map((t) => t.id)).toEqual([1, 2, 3, 4]);
  });

  it("switches the tag: the tree shows the other tag's tasks", async () => {
    const page = workbench!;
    const before = await readTasks(root!);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['master', 'feature']));

    await page.runCommand('TaskMaster: Switch Tag');
    await page.pick('feature', 'feature');
    await page.waitForRow((label) => label === 'Task 1: Dark mode, pending', 10_000);
    const labels = await waitForNoRow(page, (label) => label.includes('Ship the release'), 5000);
    expect(taskRows(labels)).toEqual(['Task 1: Dark mode, pending']);
    await page.waitForStatus('0 of 1 done', 5000);

    await page.runCommand('TaskMaster: Switch Tag');
    await page.pick('master', 'master');
    await page.waitForRow((label) => label.startsWith('Task 3: Ship the release'), 10_000);
    await waitForNoRow(page, (label) => label.includes('Dark mode'), 5000);
  });

  it('filters the tree to the matching tasks, and an empty filter shows all again', async () => {
    const page = workbench!;
    await page.runCommand('TaskMaster: Filter Tasks');
    await answerTitled(page, 'Filter tasks', 'release');
    const labels = await waitForNoRow(page, (label) => label.startsWith('Task 1:') || label.startsWith('Task 4:'), 10_000);
    expect(taskRows(labels)).toEqual(['Task 3: Ship the release, pending, medium priority, blocked by 2 (in-progress)']);

    await page.runCommand('TaskMaster: Filter Tasks');
    await answerTitled(page, 'Filter tasks', '');
    await page.waitForRow((label) => label.startsWith('Task 1: Set up the repository'), 10_000);
    await page.waitForRow((label) => label.startsWith('Task 4: Document the API'), 5000);
  });

  it('merges by hand when an edit collides with another one (1006 → Merge…)', async () => {
    const page = workbench!;
    await page.runCommand('TaskMaster: Edit Title');
    await page.pick('Set up the repository', 'Set up the repository');
    // While the title is being edited here, someone else renames the task.
    await runCli(root!, tools.cli, ['update-task', '--id', '1', '--title', 'Set up the monorepo']);
    await page.waitForRow((label) => label.startsWith('Task 1: Set up the monorepo'), 5000);
    await page.answerInput('Set up the repository', 'Set up the pnpm repository');

    await page.page.locator('.tabs-container .tab', { hasText: 'theirs ↔ mine' }).first().waitFor({ timeout: 10_000 });
    await page.page.locator('.quick-input-widget', { hasText: 'Task 1 was changed meanwhile (title)' }).waitFor({ timeout: 10_000 });
    await page.pick('Merge', 'Merge…');

    // An editable JSON draft opens, with a notification offering Resolve.
    const toast = page.page.locator('.notification-toast', { hasText: 'Edit the merged version of task 1' });
    await toast.waitFor({ timeout: 10_000 });
    const draft = page.page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    await draft.filter({ hasText: '"title"' }).waitFor({ timeout: 10_000 });
    await draft.click();
    await page.page.keyboard.press('ControlOrMeta+A');
    await page.page.keyboard.press('ControlOrMeta+C');
    const copied = await page.page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
    const candidate = JSON.parse(copied) as Record<string, unknown>;
    expect(candidate).toMatchObject({ id: 1, status: 'done', description: 'Monorepo with pnpm' });
    expect(['Set up the monorepo', 'Set up the pnpm repository']).toContain(candidate.title);
    // Pasted rather than typed, so the editor's auto-closing quotes and brackets leave it as is.
    const merged = JSON.stringify({ ...candidate, title: 'Set up the pnpm monorepo' }, null, 2);
    await page.page.evaluate((text) => (globalThis as unknown as { navigator: { clipboard: { writeText(t: string): Promise<void> } } }).navigator.clipboard.writeText(text), merged);
    await page.page.keyboard.press('ControlOrMeta+V');
    await draft.filter({ hasText: 'Set up the pnpm monorepo' }).waitFor({ timeout: 5000 });
    await toast.locator('.monaco-button', { hasText: /^Resolve$/ }).click();

    await page.waitForRow((label) => label.startsWith('Task 1: Set up the pnpm monorepo'), 10_000);
    const onDisk = await waitForFile(root!, (d) => d.master.tasks.find((t) => t.id === 1)?.title === 'Set up the pnpm monorepo', 5000);
    expect(onDisk.master.tasks.find((t) => t.id === 1)).toMatchObject({ status: 'done', description: 'Monorepo with pnpm', priority: 'high' });
    await toast.waitFor({ state: 'detached', timeout: 5000 });
    // The draft is closed without a save prompt.
    await page.page.locator('.tabs-container .tab', { hasText: 'Untitled-' }).waitFor({ state: 'detached', timeout: 5000 });
  });

  it('copies a task id to the clipboard', async () => {
    const page = workbench!;
    await page.runCommand('TaskMaster: Copy Task ID');
    await page.pick('Schema validation', 'Schema validation');
    await page.page.locator('.part.statusbar', { hasText: 'Copied task id 2.2' }).waitFor({ timeout: 10_000 });
    expect(await page.page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).toBe('2.2');
  });

  it('connects to a server that requires a token (the default), found in connection.json', async () => {
    const page = workbench!;
    const tokenRoot = await live!.makeProject();
    // Free ports: the defaults (5173/5174) are any other test's to take, the CLI's --auto-sync test's among them.
    tokenServer = await createServer({ root: tokenRoot, port: 0, httpPort: 0 });
    expect(tokenServer.token).toBeTruthy();
    // The server really refuses a request without the token...
    const refused = await fetch(`${tokenServer.httpUrl}/api/sync/status`);
    expect(refused.status).toBe(401);
    // ...and the only place the extension can learn it from is connection.json.
    const connection = JSON.parse(await readFile(path.join(tokenRoot, '.taskmaster', 'config', 'connection.json'), 'utf8')) as { token?: string };
    expect(connection.token).toBe(tokenServer.token);

    await page.page.goto(codeServer!.folderUrl(tokenRoot));
    await page.page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
    await page.showTasksView();
    await page.waitForStatus('live', 30_000);
    expect(await page.statusBarText()).toContain('live · 1/4');
    await page.waitForRow((label) => label === 'Task 3: Ship the release, pending, medium priority, blocked by 2 (in-progress)', 10_000);
    const status = await tokenServer.status();
    expect(status.connections.map((c) => c.client)).toContain('vscode');
  }, 120_000);
});
