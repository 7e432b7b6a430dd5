import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveProject } from './harness/liveProject.js';
import { EXTENSION_DIR } from './harness/tools.js';
import type { Workbench } from './harness/workbench.js';

/** The part of a row's label the sidebar shows at its width: the label's characters left of the clipping edge. */
async function visibleLabelText(row: Locator): Promise<string> {
  return row.evaluate((element) => {
    const doc = element.ownerDocument;
    const name = element.querySelector('.label-name');
    const clip = element.querySelector('.monaco-icon-label-container')!.getBoundingClientRect().right;
    const text = name?.textContent ?? '';
    const walker = doc.createTreeWalker(name!, 4 /* NodeFilter.SHOW_TEXT */);
    const node = walker.nextNode();
    if (!node) return '';
    const range = doc.createRange();
    let shown = 0;
    for (let i = 0; i < text.length; i++) {
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      if (range.getBoundingClientRect().right > clip) break;
      shown = i + 1;
    }
    return text.slice(0, shown);
  });
}

/** The colour the page computes for an icon, and for a theme colour variable, both as `rgb(…)`. */
async function iconColor(row: Locator): Promise<string> {
  return row.locator('.custom-view-tree-node-item-icon').evaluate((icon) => icon.ownerDocument.defaultView!.getComputedStyle(icon).color);
}
async function themeColor(page: Workbench, variable: string): Promise<string> {
  return page.page.locator('.monaco-workbench').evaluate((workbench, name) => {
    const probe = workbench.ownerDocument.createElement('div');
    probe.style.color = `var(${name})`;
    workbench.appendChild(probe);
    const color = workbench.ownerDocument.defaultView!.getComputedStyle(probe).color;
    probe.remove();
    return color;
  }, variable);
}

/**
 * The tasks tree on the Task Master repository's own tasks file (182 tasks in
 * 9 tags), in a real VS Code at its default sidebar width: what a person sees.
 */
describe('The tasks tree on a real Task Master project', () => {
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

  it('starts every row with the task id, in full at the default width, and parents with their subtask progress', async () => {
    const label = await page.waitForRow((l) => l.startsWith('Task 27:'), 30_000);
    expect(label).toBe('Task 27: Implement Context Enhancements for AI Operations, pending, high priority, 0 of 4 subtasks done, blocked by 26 (pending)');
    const row = page.treeRows().filter({ hasText: 'Implement Context Enhancements' }).first();
    expect(await visibleLabelText(row)).toMatch(/^27 \(0\/4\) Impl/);

    const rows = page.treeRows().filter({ has: page.page.locator('.label-name') });
    const taskRows: Locator[] = [];
    for (const candidate of await rows.all()) {
      if ((await candidate.getAttribute('aria-label'))?.startsWith('Task ')) taskRows.push(candidate);
    }
    expect(taskRows.length).toBeGreaterThan(20);
    for (const taskRow of taskRows) {
      const id = /^Task ([\d.]+):/.exec((await taskRow.getAttribute('aria-label'))!)![1]!;
      const shown = await visibleLabelText(taskRow);
      expect(shown.startsWith(`${id} `), `row of task ${id} shows "${shown}"`).toBe(true);
    }
  });

  it('marks a task blocked by its dependencies with a lock, and names them in the tooltip', async () => {
    const row = page.treeRows().filter({ hasText: 'Implement Advanced ContextManager' }).first();
    expect(await row.getAttribute('aria-label')).toContain('blocked by 26 (pending), 27 (pending)');
    expect(await row.locator('.codicon-lock').count()).toBe(1);
    const ready = page.treeRows().filter({ hasText: 'Implement Context Foundation' }).first();
    expect(await ready.locator('.codicon-lock').count()).toBe(0);

    await row.locator('.label-name').hover();
    const hover = page.page.locator('.monaco-hover, .workbench-hover', { hasText: 'Blocked by:' }).first();
    await hover.waitFor({ timeout: 10_000 });
    expect(await hover.innerText()).toContain('Blocked by: 26 (pending), 27 (pending)');
    await page.page.mouse.move(900, 400);
    await page.page.keyboard.press('Escape');
  });

  it("shows the current tag in the view's header, and follows a switch of tag", async () => {
    const description = page.pane('Tasks').locator('.pane-header .description');
    expect(await description.innerText()).toBe('tag master');
    await page.runCommand('TaskMaster: Switch Tag');
    await page.pick('loop', 'loop');
    await page.waitForRow((l) => l.startsWith('Task 11: Implement Loop CLI Command, in-progress, high priority, 2 of 3 subtasks done'), 10_000);
    expect(await description.innerText()).toBe('tag loop');
  });

  it('colours low priority in its own colour, not grey, and explains the colours in the Legend view', async () => {
    const low = page.treeRows().filter({ hasText: 'Add Documentation for Loop Command' }).first();
    expect(await low.getAttribute('aria-label')).toContain('low priority');
    const lowColor = await iconColor(low);
    expect(lowColor).toBe(await themeColor(page, '--vscode-charts-purple'));
    expect(lowColor).not.toBe(await themeColor(page, '--vscode-disabledForeground'));
    const high = page.treeRows().filter({ hasText: 'Implement Loop CLI Command' }).first();
    expect(await iconColor(high)).toBe(await themeColor(page, '--vscode-charts-orange'));

    const legend = page.pane('Legend');
    await legend.locator('.pane-header').click();
    const legendRow = (text: string) => legend.locator(`.monaco-list-row[aria-label="${text}"]`);
    await legendRow('low priority: icon colour').waitFor({ timeout: 10_000 });
    expect(await iconColor(legendRow('low priority: icon colour'))).toBe(lowColor);
    expect(await iconColor(legendRow('high priority: icon colour'))).toBe(await iconColor(high));
    // The pane is short: walk down its list with the keyboard, as a person would scroll it.
    await legendRow('low priority: icon colour').click();
    for (let i = 0; i < 3; i++) await page.page.keyboard.press('ArrowDown');
    await legendRow('blocked by 4, 7: a dependency is not done yet').waitFor({ timeout: 5000 });
    await legendRow('12 (3/5) …: after the id: subtasks done, of all').waitFor({ timeout: 5000 });
    await legendRow('done: green, whatever the priority').waitFor({ timeout: 5000 });

    const artifacts = path.join(EXTENSION_DIR, 'test-artifacts');
    await mkdir(artifacts, { recursive: true });
    await page.screenshot(path.join(artifacts, 'tree-fixture.png'));
    await legend.locator('.pane-header').click();
  });
});
