import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { boardUrl, cleanup, launchBrowser, makeProject, openBoard, register, saveShot, startServer, taskOnDisk } from './helpers.js';

afterEach(cleanup);

describe('on a phone (390×844)', () => {
  it('shows one column at a time, swipes to the next status, and moves a card from the phone layout', async () => {
    const root = await makeProject();
    const server = await startServer(root);
    const browser = await launchBrowser();
    const page = await openBoard(browser, server, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
    await saveShot(page, 'phone.png');
    const visible = () =>
      page.locator('.board [data-status]').evaluateAll((cols) =>
        cols.filter((c) => {
          const r = c.getBoundingClientRect();
          return r.left >= -1 && r.right <= window.innerWidth + 1;
        }).map((c) => c.getAttribute('data-status')),
      );
    await expect.poll(visible).toEqual(['pending']);
    // A swipe is a sideways scroll that snaps to the next column.
    await page.locator('.board').evaluate((board) => board.scrollBy({ left: 300 }));
    await expect.poll(visible).toEqual(['in-progress']);
    await page.getByRole('button', { name: /^done/ }).click();
    await expect.poll(visible).toEqual(['done']);

    // Touch drags go through SortableJS's fallback, the path the mouse tests drive; here a card's keys move it.
    await page.getByRole('button', { name: /^pending/ }).click();
    await page.locator('[data-task-id="24"]').focus();
    for (const key of ['Space', 'ArrowRight', 'Space']) await page.keyboard.press(key);
    await expect.poll(async () => (await taskOnDisk(root, 'master', 24)).status).toBe('in-progress');
  });
});

describe('the token and the origin', () => {
  it('moves the token from the fragment into sessionStorage, off the address bar, and keeps working after a reload', async () => {
    const server = await startServer(await makeProject());
    const browser = await launchBrowser();
    const page = await openBoard(browser, server);
    expect(page.url()).toBe(`${server.httpUrl}/`);
    expect(await page.evaluate(() => sessionStorage.getItem('taskmaster-board-token'))).toBe(server.token);
    await page.reload();
    await page.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor();
    expect(await page.locator('[data-task-id]').count()).toBe(93);
  });

  it('says clearly when the token is wrong', async () => {
    const server = await startServer(await makeProject());
    const browser = await launchBrowser();
    const page = await (await browser.newContext()).newPage();
    // What the page tried, for the failure message: this waited past 20 s once in CI (1.0–1.5 s otherwise).
    const seen: string[] = [];
    const at = Date.now();
    const note = (what: string) => seen.push(`${Date.now() - at} ms ${what}`);
    page.on('websocket', (ws) => {
      note('websocket opened');
      ws.on('socketerror', (err) => note(`websocket error ${err}`));
      ws.on('close', () => note('websocket closed'));
    });
    page.on('response', (r) => new URL(r.url()).pathname.startsWith('/api/') && note(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`));
    page.on('requestfailed', (r) => note(`${r.method()} ${new URL(r.url()).pathname} failed: ${r.failure()?.errorText}`));
    page.on('console', (m) => note(`console ${m.type()}: ${m.text()}`));
    await page.goto(boardUrl(server, 'a-wrong-token-of-enough-length'));
    const error = page.getByTestId('error');
    await error.waitFor({ timeout: 20_000 }).catch(async (err: unknown) => {
      const badge = await page.getByTestId('connection').textContent().catch(() => '?');
      throw new Error(`no error shown (badge: ${badge}); the page saw:\n${seen.join('\n')}`, { cause: err });
    });
    await expect(error.textContent()).resolves.toContain('token is missing or wrong');
    await expect(page.getByTestId('connection').textContent()).resolves.toBe('offline');
  });

  it('refuses a page from another origin, even one holding the token', async () => {
    const server = await startServer(await makeProject());
    // Another site: a page that tries to open the board's WebSocket with the stolen token.
    const evil = createHttpServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>elsewhere</title>');
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    register(() => new Promise((resolve) => evil.close(resolve)));
    const evilPort = (evil.address() as AddressInfo).port;
    const browser = await launchBrowser(['--host-resolver-rules=MAP evil.test 127.0.0.1']);
    const page = await (await browser.newContext()).newPage();
    await page.goto(`http://evil.test:${evilPort}/`);
    const outcome = await page.evaluate(
      ({ url, token }) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(url, ['taskmaster.v1', `taskmaster.token.${token}`]);
          ws.onopen = () => resolve('open');
          ws.onclose = () => resolve('refused');
        }),
      { url: server.wsUrl, token: server.token },
    );
    expect(outcome).toBe('refused');
    // The same WebSocket from the board's own origin opens.
    const own = await openBoard(browser, server);
    await expect(own.getByTestId('connection').textContent()).resolves.toBe('live');
  });
});
