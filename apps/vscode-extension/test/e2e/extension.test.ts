import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type TaskmasterClient } from '@taskmaster/client';
import type { EventPayload } from '@taskmaster/protocol';
import { LiveProject } from './harness/liveProject.js';
import { readTasks, runCli, waitForFile, type ProjectServer } from './harness/project.js';
import { EXTENSION_DIR, type E2eTools } from './harness/tools.js';
import type { Workbench } from './harness/workbench.js';

/**
 * The extension in a real VS Code (code-server 4.100.3) driven by chromium:
 * what the tree and status bar show, judged from the page and the files.
 */
describe('TaskMaster Sync in VS Code', () => {
  let tools: E2eTools;
  let root: string;
  let server: ProjectServer;
  let workbench: Workbench | undefined;
  let observer: TaskmasterClient | undefined;
  let live: LiveProject | undefined;

  beforeAll(async () => {
    live = await LiveProject.open();
    ({ tools, root, projectServer: server, workbench } = live);
    await workbench.showTasksView();
  });

  afterAll(async () => {
    await observer?.close().catch(() => {});
    await live?.close();
  });

  it('shows the tasks grouped by status, with the sync state in the status bar', async () => {
    const page = workbench!;
    await page.waitForRow((label) => label.startsWith('Task 3: Ship the release'), 30_000);
    const labels = await page.treeLabels();
    expect(labels).toEqual(
      expect.arrayContaining([
        'In Progress, 1 tasks',
        'Task 2: Write the tasks parser, in-progress, high priority, 1 of 2 subtasks done',
        'Pending, 2 tasks',
        'Task 3: Ship the release, pending, medium priority, blocked by 2 (in-progress)',
        'Task 4: Document the API, pending, low priority',
        'Done, 1 tasks',
        'Task 1: Set up the repository, done, high priority',
      ]),
    );
    expect(labels.some((label) => label.includes('Dark mode'))).toBe(false);
    await page.waitForStatus('live', 15_000);
    expect(await page.statusBarText()).toContain('live · 1/4');
  });

  it('shows subtasks under their task and opens a task in the board, its details drawer listing the subtasks', async () => {
    const page = workbench!;
    await page.treeRows().filter({ hasText: 'Write the tasks parser' }).first().locator('.monaco-tl-twistie').click();
    await page.waitForRow((label) => label === 'Task 2.1: Tokenizer, done', 5000);
    await page.waitForRow((label) => label === 'Task 2.2: Schema validation, pending', 5000);

    await page.runCommand('TaskMaster: Open Task');
    await page.pick('Write the tasks parser', 'Write the tasks parser');
    await page.page.locator('.tabs-container .tab', { hasText: 'TaskMaster Board' }).first().waitFor({ timeout: 15_000 });
    const drawer = page.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame').locator('[data-testid="task-details"]');
    await drawer.waitFor({ timeout: 15_000 });
    expect(await drawer.locator('[name="title"]').inputValue()).toBe('Write the tasks parser');
    expect(await drawer.innerText()).toContain('Schema validation');

    const artifacts = path.join(EXTENSION_DIR, 'test-artifacts');
    await mkdir(artifacts, { recursive: true });
    await page.page.waitForTimeout(1000); // let the preview's webview paint before the picture
    await page.screenshot(path.join(artifacts, 'tree.png'));
    // The README's picture is refreshed on request only, so a test run leaves the work tree clean.
    if (process.env.UPDATE_SCREENSHOT) {
      await copyFile(path.join(artifacts, 'tree.png'), path.join(EXTENSION_DIR, 'media', 'screenshot.png'));
    }
  });

  it('shows a status change made by another process within a second', async () => {
    const page = workbench!;
    await runCli(root, tools.cli, ['set-status', '--id', '4', '--status', 'done']);
    const row = await page.waitForRow((label) => label.startsWith('Task 4:') && label.includes(', done'), 1000);
    expect(row).toBe('Task 4: Document the API, done, low priority');
    await page.waitForStatus('2 of 4 done', 2000);
  });

  it('sends a status chosen in the editor to the file and to other clients', async () => {
    const page = workbench!;
    observer = createClient({ root, clientName: 'e2e-observer', subscribe: ['task.*', 'file.changed'] });
    await observer.ready(10_000);
    const received = new Promise<EventPayload<'task.status.changed'>>((resolve) => {
      observer!.on('task.status.changed', (payload) => {
        if (payload.id === '3') resolve(payload);
      });
    });
    // Task events go out once the change is validated; file.changed once the file holds it.
    const written = new Promise<void>((resolve) => observer!.on('file.changed', () => resolve()));

    // The task's or the status's quick pick can close as it opens while the tree refreshes: the command then runs again.
    await page.runCommandAndPick('TaskMaster: Set Status', ['Ship the release', 'Ship the release'], ['review', 'review']);

    const event = await received;
    expect(event).toMatchObject({ tag: 'master', id: '3', from: 'pending', to: 'review' });
    await written;
    const onDisk = await readTasks(root);
    expect(onDisk.master.tasks.find((t) => t.id === 3)?.status).toBe('review');
    await page.waitForRow((label) => label === 'Task 3: Ship the release, review, medium priority, blocked by 2 (in-progress)', 5000);
  });

  it('shows both versions when an edit collides with another one, and keeps the one chosen', async () => {
    const page = workbench!;
    await page.runCommandAndPick('TaskMaster: Edit Title', ['Document the API', 'Document the API']);
    // While the title is being edited here, someone else renames the task.
    await runCli(root, tools.cli, ['update-task', '--id', '4', '--title', 'Document the public API']);
    await page.waitForRow((label) => label.startsWith('Task 4: Document the public API'), 5000);
    await page.answerInput('Document the API', 'Document the REST API');

    const diffTab = page.page.locator('.tabs-container .tab', { hasText: 'theirs ↔ mine' });
    await diffTab.first().waitFor({ timeout: 10_000 });
    await page.page.locator('.quick-input-widget', { hasText: 'Task 4 was changed meanwhile (title)' }).waitFor({ timeout: 10_000 });
    await page.pick('Keep mine', 'Keep mine');

    await page.waitForRow((label) => label.startsWith('Task 4: Document the REST API'), 5000);
    await waitForFile(root, (data) => data.master.tasks.find((t) => t.id === 4)?.title === 'Document the REST API');
  });

  it('goes offline and follows the file when the server stops, and live again when it comes back', async () => {
    const page = workbench!;
    await page.waitForStatus('live', 5000);
    await server.stop();
    const offline = await page.waitForStatus('offline', 15_000);
    expect(offline).toContain('TaskMaster offline');
    expect(await page.statusBarText()).toContain('offline');

    // Without a server the tree follows the file itself.
    const data = await readTasks(root);
    data.master.tasks.find((t) => t.id === 1)!.title = 'Set up the monorepo';
    await writeFile(path.join(root, '.taskmaster', 'tasks', 'tasks.json'), JSON.stringify(data, null, 2));
    await page.waitForRow((label) => label.startsWith('Task 1: Set up the monorepo'), 10_000);

    await server.start();
    await page.waitForStatus('live', 20_000);
    expect(await page.statusBarText()).toContain('live · 2/4');
  });

  it('says in the tree when the current tag is broken or the file cannot be read, until each is fixed', async () => {
    const page = workbench!;
    await page.waitForStatus('live', 20_000);
    const tasksFile = path.join(root, '.taskmaster', 'tasks', 'tasks.json');
    const tasks = page.pane('Tasks');
    await page.runCommand('TaskMaster: Switch Tag');
    await page.pick('feature', 'feature');
    await page.waitForRow((label) => label.startsWith('Task 1: Dark mode'), 10_000);

    // Another tool leaves the tag's task without a title.
    const good = await readTasks(root);
    const broken = structuredClone(good) as { feature: { tasks: Array<{ title: string | null }> } };
    broken.feature.tasks[0]!.title = null;
    await writeFile(tasksFile, JSON.stringify(broken, null, 2));
    await tasks.getByText('tasks.json is invalid in tag feature, task 1, field title: expected string, received null;', { exact: false }).waitFor({ timeout: 10_000 });
    // Mended: the note goes.
    await writeFile(tasksFile, JSON.stringify(good, null, 2));
    await tasks.getByText('tasks.json is invalid in tag feature', { exact: false }).waitFor({ state: 'detached', timeout: 10_000 });

    // Half a file: the tree keeps the last version the server read, and says so until the file is back.
    await writeFile(tasksFile, JSON.stringify(good, null, 2).slice(0, 80));
    await tasks.getByText('The tree shows the last version the server read', { exact: false }).waitFor({ timeout: 10_000 });
    // And a pop-up, once, as the problem starts.
    await page.page.locator('.notification-toast', { hasText: 'the tasks file is invalid' }).waitFor({ timeout: 10_000 });
    expect(await page.treeLabels()).toContain('Task 1: Dark mode, pending');
    await writeFile(tasksFile, JSON.stringify(good, null, 2));
    await tasks.getByText('The tree shows the last version the server read', { exact: false }).waitFor({ state: 'detached', timeout: 10_000 });

    await page.runCommand('TaskMaster: Switch Tag');
    await page.pick('master', 'master');
    await page.waitForRow((label) => label.startsWith('Task 3: Ship the release'), 10_000);
  });

  /**
   * Another program reads the tasks (as Task Master reads a tag before it takes the lock), task `id` gets our
   * title and a high priority through the server, then the other program writes back what it read with its
   * own title: the old priority it wrote back shows its read was stale, so the title both changed is written over.
   */
  const staleWriteOver = async (id: number, title: string) => {
    const stale = (await readTasks(root)) as { master: { tasks: Array<{ id: number; title: string }> } };
    await runCli(root, tools.cli, ['update-task', '--id', String(id), '--title', `${title} (ours)`, '--priority', 'high']);
    stale.master.tasks.find((t) => t.id === id)!.title = `${title} (theirs)`;
    await writeFile(path.join(root, '.taskmaster', 'tasks', 'tasks.json'), JSON.stringify(stale, null, 2));
  };

  it('pops up a conflict when another program writes back a field the server changed since it read the file, and puts ours back', async () => {
    const page = workbench!;
    await page.waitForStatus('live', 20_000);
    await staleWriteOver(4, 'Document the API');
    const toast = page.page.locator('.notification-toast', { hasText: "TaskMaster: Another program wrote over task 4's title, changed here meanwhile; its value was kept." });
    await toast.waitFor({ timeout: 10_000 });
    // Theirs wins the field both changed; ours keeps the other.
    await page.waitForRow((label) => label === 'Task 4: Document the API (theirs), done, high priority', 10_000);
    // Put back from the pop-up: our title, in the tree and in the file.
    await toast.getByRole('button', { name: 'Put it back' }).click();
    await page.waitForRow((label) => label === 'Task 4: Document the API (ours), done, high priority', 10_000);
    await waitForFile(root, (data) => data.master.tasks.find((t) => t.id === 4)?.title === 'Document the API (ours)');
  });

  it("names a change written over before the window opened in the tree's message, and puts it back from the command", async () => {
    const page = workbench!;
    await page.waitForStatus('live', 20_000);
    await staleWriteOver(3, 'Ship the release');
    await page.waitForRow((label) => label.startsWith('Task 3: Ship the release (theirs), ') && label.includes(', high priority'), 10_000);
    // The window opens again: the pop-up was news then; what still stands is in the tree's message now.
    await page.reload();
    await page.waitForStatus('live', 30_000);
    const message = page.pane('Tasks').getByText(`Another program wrote over task 3's title, changed here meanwhile; its value was kept. Here: title "Ship the release (ours)".`, { exact: false });
    await message.waitFor({ timeout: 15_000 });
    expect(await message.textContent()).toContain('Run "TaskMaster: Put Back Overwritten Change" to put it back, or "TaskMaster: Dismiss Overwritten Change" to keep what it wrote.');
    await page.runCommandAndPick('TaskMaster: Put Back Overwritten Change', ['Task 3', 'Task 3: title']);
    await page.waitForRow((label) => label.startsWith('Task 3: Ship the release (ours), ') && label.includes(', high priority'), 10_000);
    await waitForFile(root, (data) => data.master.tasks.find((t) => t.id === 3)?.title === 'Ship the release (ours)');
    await message.waitFor({ state: 'detached', timeout: 10_000 });
  });

  it("dismisses a change written over from the command: the other program's value stays, and the notice goes for every client", async () => {
    const page = workbench!;
    await page.waitForStatus('live', 20_000);
    // As staleWriteOver, on task 1 (whose priority is high already): our description shows the write back was stale.
    const stale = (await readTasks(root)) as { master: { tasks: Array<{ id: number; title: string }> } };
    const title = stale.master.tasks.find((t) => t.id === 1)!.title;
    await runCli(root, tools.cli, ['update-task', '--id', '1', '--title', `${title} (ours)`, '--description', 'Changed here']);
    stale.master.tasks.find((t) => t.id === 1)!.title = `${title} (theirs)`;
    await writeFile(path.join(root, '.taskmaster', 'tasks', 'tasks.json'), JSON.stringify(stale, null, 2));
    const message = page.pane('Tasks').getByText("Another program wrote over task 1's title", { exact: false });
    await message.waitFor({ timeout: 15_000 });
    const listed = async () => (JSON.parse(await runCli(root, tools.cli, ['sync', 'server', 'status', '--json'])) as { overridden?: Array<{ id: string }> }).overridden?.map((c) => c.id) ?? [];
    expect(await listed()).toEqual(['1']);

    await page.runCommandAndPick('TaskMaster: Dismiss Overwritten Change', ['Task 1', 'Task 1: title']);
    await message.waitFor({ state: 'detached', timeout: 10_000 });
    // Theirs stays in the tree and the file; the server lists nothing for a client that opens later.
    await page.waitForRow((label) => label.startsWith(`Task 1: ${title} (theirs), `), 10_000);
    expect((await readTasks(root)).master.tasks.find((t: { id: number }) => t.id === 1)?.title).toBe(`${title} (theirs)`);
    expect(await listed()).toEqual([]);
  });

  it('starts and stops a server through the CLI from the status bar menu', async () => {
    const page = workbench!;
    await server.stop();
    await page.waitForStatus('offline', 15_000);

    await page.page.locator('.part.statusbar .statusbar-item', { hasText: 'offline' }).first().click();
    await page.pick('Start server', 'Start server');
    await page.waitForStatus('live', 30_000);
    const status = JSON.parse(await runCli(root, tools.cli, ['sync', 'server', 'status', '--json'])) as {
      running: boolean;
      pid: number;
      connections: Array<{ client?: string }>;
    };
    expect(status.running).toBe(true);
    expect(status.pid).not.toBe(process.pid);
    expect(status.connections.map((c) => c.client)).toContain('vscode');

    await page.runCommand('TaskMaster: Stop Server');
    await page.waitForStatus('offline', 15_000);
  }, 150_000);
});
