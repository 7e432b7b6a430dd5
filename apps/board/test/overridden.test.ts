import { writeFile } from 'node:fs/promises';
import { createClient, type TaskmasterClient } from '@taskmaster/client';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, eventually, launchBrowser, makeProject, openBoard, readTasks, register, saveShot, startServer, taskOnDisk, tasksFile } from './helpers.js';

afterEach(cleanup);

const task = (id: number, title: string) => ({ id, title, description: '', status: 'pending', priority: 'medium', dependencies: [], details: '', testStrategy: '', subtasks: [] });
const meta = { created: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:00:00.000Z', description: '' };

/** Tasks 1 and 2 served, the board open on them in Chromium, and a client (`editor`) to change them. */
async function boardOnProject() {
  const root = await makeProject({ master: { tasks: [task(1, 'Write the spec'), task(2, 'Ship it')], metadata: meta } });
  const server = await startServer(root, { debounceMs: 20 });
  const browser = await launchBrowser();
  const page = await openBoard(browser, server);
  const editor = createClient({ url: server.wsUrl, token: server.token });
  register(() => editor.close());
  await editor.ready();
  return { root, server, browser, page, editor };
}

/** The board's notice for task `id`. */
const noticeOn = (page: Page, id: number) => page.locator(`[data-testid="overridden"] [data-task-id="${id}"]`);

/**
 * Another program reads the tag, a client changes task `id`'s title and priority, then the other program
 * writes back what it read with its own title. The priority it writes back unchanged shows its read was
 * stale: the title both changed is a conflict.
 */
async function writeOver(root: string, editor: TaskmasterClient, id: number, title: string, priority: 'high' | 'low'): Promise<void> {
  const stale = await readTasks(root);
  await editor.call('task.update', { id, changes: { title: `${title} (ours)`, priority } });
  await eventually(async () => expect((await taskOnDisk(root, 'master', id)).title).toBe(`${title} (ours)`));
  stale.master.tasks.find((t: { id: number }) => t.id === id).title = `${title} (theirs)`;
  await writeFile(tasksFile(root), `${JSON.stringify(stale, null, 2)}\n`);
}

describe('the board when another program writes over a change', () => {
  it('says what it kept and what it replaced, puts the change back on request, and drops one dismissed from every page', async () => {
    const { root, server, browser, page, editor } = await boardOnProject();
    const notice = (id: number) => noticeOn(page, id);
    const staleWriteOver = (id: number, title: string, priority: 'high' | 'low') => writeOver(root, editor, id, title, priority);

    await staleWriteOver(1, 'Write the spec', 'high');
    await notice(1).waitFor();
    expect(await notice(1).locator('span').textContent()).toBe(
      `Another program wrote over task 1's title, changed here meanwhile; its value was kept. Here: title "Write the spec (ours)".`,
    );
    await expect.poll(() => page.locator('.board [data-task-id="1"]').textContent()).toContain('Write the spec (theirs)');
    await saveShot(page, 'overridden.png');
    await notice(1).getByRole('button', { name: 'Put it back' }).click();
    await notice(1).waitFor({ state: 'detached' });
    await eventually(async () => expect(await taskOnDisk(root, 'master', 1)).toMatchObject({ title: 'Write the spec (ours)', priority: 'high' }));
    // The notice can go before the reply: the event saying the change stands again goes out before the write is
    // durable, the reply (and so the status line) only after.
    await expect.poll(() => page.getByTestId('status-line').textContent()).toBe('Task 1: put back');

    // Once more on task 2, dismissed: the notice goes and the other program's value stays.
    await staleWriteOver(2, 'Ship it', 'low');
    await notice(2).waitFor();
    // A page opened after the notice went out lists it too (task 1's, put back, is over).
    const later = await openBoard(browser, server);
    const laterNotice = later.locator('[data-testid="overridden"] [data-task-id]');
    await laterNotice.first().waitFor();
    expect(await laterNotice.evaluateAll((lines) => lines.map((l) => l.getAttribute('data-task-id')))).toEqual(['2']);
    await notice(2).getByRole('button', { name: 'Dismiss' }).click();
    await notice(2).waitFor({ state: 'detached' });
    // Dismissed for every page: the other one drops it as it happens, and the other program's value stays.
    await laterNotice.first().waitFor({ state: 'detached' });
    expect(await taskOnDisk(root, 'master', 2)).toMatchObject({ title: 'Ship it (theirs)', priority: 'low' });
    expect(await page.locator('[data-testid="overridden"]').count()).toBe(0);
    expect((await editor.call('sync.status')).overridden ?? []).toEqual([]);
    // Nor does it come back on a reload.
    await page.reload();
    await page.locator('[data-task-id]').first().waitFor();
    await expect.poll(() => page.locator('.board [data-task-id="2"]').textContent()).toContain('Ship it (theirs)');
    expect(await page.locator('[data-testid="overridden"]').count()).toBe(0);

    // Put back elsewhere (another client): every page's notice is over.
    await staleWriteOver(1, 'The spec', 'low');
    await notice(1).waitFor();
    await laterNotice.first().waitFor();
    await editor.call('task.update', { id: 1, changes: { title: 'The spec (ours)' } });
    await laterNotice.first().waitFor({ state: 'detached' });
    await notice(1).waitFor({ state: 'detached' });
  });

  it('shows the changes still standing after the server restarts, but not one dismissed', async () => {
    const { root, server: first, browser, page, editor } = await boardOnProject();
    await writeOver(root, editor, 1, 'Write the spec', 'high');
    await writeOver(root, editor, 2, 'Ship it', 'low');
    await noticeOn(page, 2).waitFor();
    await noticeOn(page, 1).waitFor();
    await noticeOn(page, 2).getByRole('button', { name: 'Dismiss' }).click();
    await noticeOn(page, 2).waitFor({ state: 'detached' });

    // The server stops and starts again at the same address (as `taskmaster sync server` after a reboot).
    await editor.close();
    await first.close();
    await page.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor({ state: 'detached' });
    const second = await startServer(root, { debounceMs: 20, port: first.port, httpPort: first.httpPort, token: first.token });
    await page.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor({ timeout: 30_000 });
    // Back, and reloaded: task 1's notice stands; task 2's, dismissed, does not come back.
    await page.reload();
    await page.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor();
    await noticeOn(page, 1).waitFor();
    expect(await page.locator('[data-testid="overridden"] [data-task-id]').evaluateAll((lines) => lines.map((l) => l.getAttribute('data-task-id')))).toEqual(['1']);
    // Nor in a page of its own (another tab): the new server kept task 1's only.
    const other = await openBoard(browser, second);
    await noticeOn(other, 1).waitFor();
    expect(await other.locator('[data-testid="overridden"] [data-task-id]').evaluateAll((lines) => lines.map((l) => l.getAttribute('data-task-id')))).toEqual(['1']);
  });
});
