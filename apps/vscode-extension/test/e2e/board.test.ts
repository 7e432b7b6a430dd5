import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveProject } from './harness/liveProject.js';
import { EXTENSION_DIR, REPO_ROOT } from './harness/tools.js';
import type { Workbench } from './harness/workbench.js';

/** The page inside the board's webview: VS Code nests the extension's page in an inner frame. */
function boardFrame(page: Workbench): FrameLocator {
  return page.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** "TaskMaster: Open Board" in a real VS Code, on the Task Master repository's own tasks (182 tasks, 9 tags). */
describe('The board in VS Code', () => {
  let live: LiveProject | undefined;
  let page: Workbench;

  beforeAll(async () => {
    live = await LiveProject.open('fixture');
    page = live.workbench;
    await page.showTasksView();
    await page.waitForStatus('live', 30_000);
  });

  afterAll(async () => {
    await live?.close();
  });

  it('opens the board in a webview, with a card for every task of the current tag, live', async () => {
    await page.runCommand('TaskMaster: Open Board');
    await page.page.locator('.tabs-container .tab', { hasText: 'TaskMaster Board' }).first().waitFor({ timeout: 15_000 });
    const board = boardFrame(page);
    await board.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor({ timeout: 30_000 });
    await board.locator('[data-task-id="27"]').first().waitFor({ timeout: 15_000 });
    // The master tag of the fixture has 93 tasks; the board shows each once.
    expect(await board.locator('[data-status] [data-task-id]').count()).toBe(93);
    expect(await board.locator('[data-task-id="27"]').first().innerText()).toContain('Implement Context Enhancements for AI Operations');
  });

  it('wears the editor theme: its background is the VS Code editor background', async () => {
    const board = boardFrame(page);
    const colors = await board.locator('body').evaluate((body) => {
      const probe = body.ownerDocument.createElement('div');
      probe.style.color = 'var(--vscode-editor-background)';
      body.appendChild(probe);
      const view = body.ownerDocument.defaultView!;
      const result = { body: view.getComputedStyle(body).backgroundColor, editor: view.getComputedStyle(probe).color };
      probe.remove();
      return result;
    });
    expect(colors.editor).toMatch(/^rgb/);
    expect(colors.body).toBe(colors.editor);
  });

  it('moves a card when another process changes the status, without a reload', async () => {
    const board = boardFrame(page);
    await live!.cli(['set-status', '--id', '24', '--status', 'in-progress']);
    await board.locator('[data-status="in-progress"] [data-task-id="24"]').waitFor({ timeout: 5000 });

    const artifacts = path.join(EXTENSION_DIR, 'test-artifacts');
    await mkdir(artifacts, { recursive: true });
    await page.page.waitForTimeout(500); // let the card's move settle before the picture
    await page.screenshot(path.join(artifacts, 'board.png'));
    // The README's picture is refreshed on request only, so a test run leaves the work tree clean.
    if (process.env.UPDATE_SCREENSHOT) {
      await mkdir(path.join(REPO_ROOT, 'docs', 'board'), { recursive: true });
      await copyFile(path.join(artifacts, 'board.png'), path.join(REPO_ROOT, 'docs', 'board', 'vscode.png'));
    }
  });

  it('opens a task in the board\'s details drawer, every field editable, instead of a read-only preview', async () => {
    await page.runCommandAndPick('TaskMaster: Open Task', ['Implement Context Enhancements', 'Implement Context Enhancements for AI Operations']);
    const drawer = boardFrame(page).locator('[data-testid="task-details"]');
    await drawer.waitFor({ timeout: 15_000 });
    expect(await drawer.locator('[name="title"]').inputValue()).toBe('Implement Context Enhancements for AI Operations');
    expect(await drawer.locator('[name="priority"]').isEditable()).toBe(true);
  });
});
