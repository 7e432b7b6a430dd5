import { readFile, rm, writeFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, launchBrowser, makeProject, openBoard, saveShot, startServer, tasksFile } from './helpers.js';

afterEach(cleanup);

const task = (id: number, title: string | null) => ({ id, title, description: '', status: 'pending', priority: 'medium', dependencies: [], details: '', testStrategy: '', subtasks: [] });
const meta = { created: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:00:00.000Z', description: '' };
/** master is fine; feature's task 2 has a null title, as another tool might leave it. */
const withBrokenFeature = () => ({
  master: { tasks: [task(1, 'Write the spec'), task(2, 'Ship it')], metadata: meta },
  feature: { tasks: [task(1, 'Feature one'), task(2, null)], metadata: meta },
});

async function open(browser: Browser, server: Awaited<ReturnType<typeof startServer>>, how: { webSockets?: boolean } = {}) {
  const page = await openBoard(browser, server, {}, how);
  return {
    page,
    fileNotice: () => page.locator('[data-testid="file-notice"]'),
    tagNotice: () => page.locator('[data-testid="tag-notice"]'),
    tagOptions: () => page.locator('select[name="tag"] option').allTextContents(),
  };
}

describe('the board when the server cannot read all of tasks.json', () => {
  it('says which tag is broken and why, and stops saying it once an edit mends the tag', async () => {
    const root = await makeProject(withBrokenFeature());
    const server = await startServer(root, { debounceMs: 20 });
    const browser = await launchBrowser();
    const { page, tagNotice, tagOptions } = await open(browser, server);

    await expect.poll(tagOptions).toEqual(['master (current)', 'feature (broken)']);
    expect(await tagNotice().count()).toBe(0);
    await page.selectOption('select[name="tag"]', 'feature');
    await tagNotice().waitFor();
    await saveShot(page, 'broken-tag.png');
    expect(await tagNotice().textContent()).toMatch(/^Tag feature holds a task that is not valid \(task 2, field title: expected string, received null\)\..*taskmaster history restore/);
    // Its untitled task is drawn and sorted like any other, never stopping the page.
    await expect.poll(() => page.locator('[data-task-id="2"]').textContent()).toContain('(untitled)');
    await page.getByRole('button', { name: 'List', exact: true }).click();
    await page.getByRole('button', { name: 'Title', exact: true }).click();
    await expect.poll(() => page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-task-id')))).toEqual(['2', '1']);
    await page.getByRole('button', { name: 'Board', exact: true }).click();

    // Another program mends it: the notice goes, the card gets its title.
    const mended = withBrokenFeature();
    mended.feature.tasks[1]!.title = 'Feature two';
    await writeFile(tasksFile(root), `${JSON.stringify(mended, null, 2)}\n`);
    await tagNotice().waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('[data-task-id="2"]').textContent()).toContain('Feature two');
    await expect.poll(tagOptions).toEqual(['master (current)', 'feature']);

    // Broken again while the board is open: named as it happens.
    await writeFile(tasksFile(root), `${JSON.stringify(withBrokenFeature(), null, 2)}\n`);
    await tagNotice().waitFor();
    expect(await tagNotice().textContent()).toMatch(/task 2, field title/);
    // Clients go on holding the tag as it was before it broke.
    expect(await page.locator('[data-task-id="2"]').textContent()).toContain('Feature two');

    // Mended from the board: the card showed the title from before the break, so the edit meets the null
    // another program wrote as a conflict; keeping mine is the one kind of change a broken tag takes, one that fixes it.
    await page.locator('[data-task-id="2"] .card-title').click();
    const drawer = page.locator('[data-testid="task-details"]');
    await drawer.locator('input[name="title"]').fill('Titled on the board');
    await drawer.locator('input[name="title"]').press('Tab');
    const conflict = drawer.locator('[data-testid="conflict"]');
    await conflict.waitFor();
    expect(await conflict.locator('[data-side="mine"]').textContent()).toBe('Titled on the board');
    await conflict.getByRole('button', { name: 'Keep mine' }).click();
    await tagNotice().waitFor({ state: 'detached' });
    const onDisk = JSON.parse(await readFile(tasksFile(root), 'utf8')) as ReturnType<typeof withBrokenFeature>;
    expect(onDisk.feature.tasks.map((t) => t.title)).toEqual(['Feature one', 'Titled on the board']);
  });

  it('says the file cannot be read or is missing while it is so, to pages open then and opened since, live or polling, and keeps the cards', async () => {
    const root = await makeProject(withBrokenFeature());
    const server = await startServer(root, { debounceMs: 20 });
    const browser = await launchBrowser();
    const first = await open(browser, server);
    // Behind a proxy that passes no WebSockets: the board polls over HTTP, and learns of the file from what it pulls.
    const polling = await open(browser, server, { webSockets: false });
    expect(await polling.page.locator('[data-testid="connection"]').getAttribute('title')).toBe('over HTTP polling');
    const good = await readFile(tasksFile(root));

    // Half a file, as an editor or a crash might leave it.
    await writeFile(tasksFile(root), good.subarray(0, 120));
    await first.fileNotice().waitFor();
    expect(await first.fileNotice().textContent()).toMatch(/^tasks\.json is not valid JSON at line \d+, column \d+.*The board shows the last version the server read; fix the file/);
    await polling.fileNotice().waitFor();
    expect(await polling.fileNotice().textContent()).toBe(await first.fileNotice().textContent());
    expect(await first.page.locator('[data-task-id]').count()).toBe(2);
    await saveShot(first.page, 'invalid-file.png');
    // A page opened now is told too (sync.status), not only the pages that got the event.
    const second = await open(browser, server);
    await second.fileNotice().waitFor();
    expect(await second.fileNotice().textContent()).toMatch(/not valid JSON/);

    // Put back byte for byte: no task changed, and every page drops the notice.
    await writeFile(tasksFile(root), good);
    await first.fileNotice().waitFor({ state: 'detached' });
    await second.fileNotice().waitFor({ state: 'detached' });
    await polling.fileNotice().waitFor({ state: 'detached' });

    await rm(tasksFile(root));
    await first.fileNotice().waitFor();
    expect(await first.fileNotice().textContent()).toMatch(/^tasks\.json was removed.*restore the file from git/);
    await polling.fileNotice().waitFor();
    expect(await polling.fileNotice().textContent()).toMatch(/^tasks\.json was removed/);
    await writeFile(tasksFile(root), good);
    await first.fileNotice().waitFor({ state: 'detached' });
    await polling.fileNotice().waitFor({ state: 'detached' });
    expect(await first.page.locator('[data-task-id]').count()).toBe(2);
    expect(await polling.page.locator('[data-task-id]').count()).toBe(2);
  });
});
