// The board's benchmark: first full paint of the fixture's largest tag, a drag at 1,000
// cards, and the bundle's gzip size. Prints numbers; not a test. Targets from issue 14.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createServer } from '@taskmaster/server';
import { initProject } from '@taskmaster/store';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIST = path.resolve(HERE, '../dist');
const FIXTURE = path.resolve(HERE, '../../../../shared/fixtures/taskmaster-repo-tasks.json');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const RUNS = 5;

if (!existsSync(path.join(DIST, 'index.html'))) throw new Error('build the board first: pnpm --filter @taskmaster/board build');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(0)} ms`;

async function project(text) {
  const root = await mkdtemp(path.join(tmpdir(), 'tm-board-bench-'));
  await initProject(root);
  await writeFile(path.join(root, '.taskmaster', 'tasks', 'tasks.json'), text);
  const server = await createServer({ root, host: '127.0.0.1', port: 0, httpPort: 0, boardDir: DIST, token: true });
  return { server, url: `${server.httpUrl}/#token=${encodeURIComponent(server.token)}`, done: async () => (await server.close(), await rm(root, { recursive: true, force: true })) };
}

/** Time from navigation start until `count` cards are in the page and a frame has been painted with them. */
async function firstFullPaint(browser, url, count) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript((n) => {
    new MutationObserver((_, observer) => {
      if (document.querySelectorAll('[data-task-id]').length < n) return;
      observer.disconnect();
      requestAnimationFrame(() => requestAnimationFrame(() => (window.__painted = performance.now())));
    }).observe(document, { childList: true, subtree: true });
  }, count);
  await page.goto(url);
  const ms = await page.waitForFunction(() => window.__painted, undefined, { timeout: 30_000 }).then((h) => h.jsonValue());
  await page.close();
  return ms;
}

/** A mouse drag of one card to another column at 1,000 cards: the longest frame while dragging, and drop → painted. */
async function dragAt1000(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-task-id]').length === 1000);
  const id = await page.locator('[data-status="pending"] [data-task-id]').first().getAttribute('data-task-id');
  const card = await page.locator(`[data-task-id="${id}"]`).boundingBox();
  const list = await page.locator('[data-status="review"] ul').boundingBox();
  await page.evaluate((taskId) => {
    const frames = [];
    let last = performance.now();
    const tick = (now) => {
      frames.push(now - last);
      last = now;
      if (!window.__dropPainted) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    window.__frames = frames;
    document.addEventListener('mouseup', () => (window.__dropAt = performance.now()), { capture: true });
    new MutationObserver(() => {
      if (window.__dropAt && document.querySelector(`[data-status="review"] [data-task-id="${taskId}"]`) && !window.__dropSeen) {
        window.__dropSeen = true;
        requestAnimationFrame(() => requestAnimationFrame(() => (window.__dropPainted = performance.now())));
      }
    }).observe(document.body, { childList: true, subtree: true });
  }, id);
  await page.mouse.move(card.x + card.width / 2, card.y + card.height / 2);
  await page.mouse.down();
  await page.mouse.move(card.x + card.width / 2 + 15, card.y + card.height / 2 + 10, { steps: 4 });
  await page.mouse.move(list.x + list.width / 2, list.y + 20, { steps: 20 });
  await page.mouse.up();
  await page.waitForFunction(() => window.__dropPainted, undefined, { timeout: 10_000 });
  const result = await page.evaluate(() => ({ frames: window.__frames.slice(1), drop: window.__dropPainted - window.__dropAt }));
  await page.close();
  return { maxFrame: Math.max(...result.frames), p95Frame: [...result.frames].sort((a, b) => a - b)[Math.floor(result.frames.length * 0.95)], drop: result.drop };
}

function generated(n) {
  const statuses = ['pending', 'in-progress', 'review', 'done', 'deferred', 'cancelled'];
  const tasks = Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    title: `Generated task ${i + 1}`,
    description: `Description ${i + 1}`,
    details: '',
    testStrategy: '',
    status: statuses[i % statuses.length],
    priority: ['high', 'medium', 'low'][i % 3],
    dependencies: i > 0 && i % 7 === 0 ? [i] : [],
    subtasks: i % 10 === 0 ? [{ id: 1, title: 'Sub', status: 'done', dependencies: [] }, { id: 2, title: 'Sub 2', status: 'pending', dependencies: [] }] : [],
  }));
  return JSON.stringify({ master: { tasks, metadata: { created: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:00:00.000Z' } } }, null, 2);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
try {
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  const [largest, { tasks }] = Object.entries(fixture).sort((a, b) => b[1].tasks.length - a[1].tasks.length)[0];
  const small = await project(readFileSync(FIXTURE));
  const paints = [];
  for (let i = 0; i < RUNS; i++) paints.push(await firstFullPaint(browser, small.url, tasks.length));
  await small.done();

  const big = await project(generated(1000));
  const drags = [];
  for (let i = 0; i < RUNS; i++) drags.push(await dragAt1000(browser, big.url));
  await big.done();

  const js = readdirSync(path.join(DIST, 'assets')).filter((f) => f.endsWith('.js'));
  const gzip = js.reduce((sum, f) => sum + gzipSync(readFileSync(path.join(DIST, 'assets', f)), { level: 9 }).length, 0);

  console.log(`board: navigation → all ${tasks.length} cards of "${largest}" painted: median ${fmt(median(paints))} of ${RUNS} (${paints.map(fmt).join(', ')}); target ≤ 500 ms`);
  console.log(`board: 1,000 cards, drag frame: median of max ${fmt(median(drags.map((d) => d.maxFrame)))}, p95 ${fmt(median(drags.map((d) => d.p95Frame)))}; target ≤ 50 ms`);
  console.log(`board: 1,000 cards, drop → painted in the new column: median ${fmt(median(drags.map((d) => d.drop)))}`);
  console.log(`board: JS bundle ${(gzip / 1024).toFixed(1)} KB gzip (${js.length} file${js.length === 1 ? '' : 's'}); target ≤ 120 KB`);
} finally {
  await browser.close();
}
