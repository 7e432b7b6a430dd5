import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** The flags that let Debian's chromium run headless as root in a container. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A browser page showing the VS Code workbench, with helpers that read it as a person would. */
export class Workbench {
  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
  ) {}

  /** Launches chromium and opens `url`; resolves when the workbench is drawn. */
  static async open(executablePath: string, url: string): Promise<Workbench> {
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
      await page.goto(url);
      await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
      return new Workbench(browser, page);
    } catch (err) {
      await browser.close();
      throw err;
    }
  }

  /**
   * Shows the Tasks view: clicks the TaskMaster activity-bar icon while its
   * container is not the open one, and waits until it is open with its tree
   * drawn. A click on the open container's icon would close it, and a
   * window restoring it (after a reload) may mark it open only seconds later
   * under load, so the click is never made on a guess.
   */
  async showTasksView(): Promise<void> {
    const item = '.activitybar .action-item:has(a[aria-label^="TaskMaster"])';
    const icon = this.page.locator(item).first();
    const openIcon = this.page.locator(`${item}.checked`).first();
    const tree = this.page.locator('.part.sidebar .monaco-list').first();
    await icon.waitFor({ timeout: 30_000 });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const open = await openIcon.isVisible();
      if (open && (await tree.isVisible())) return;
      if (Date.now() > deadline) throw new Error(`the Tasks view did not open within 30 s (container open: ${open})`);
      if (open) {
        await this.page.waitForTimeout(250);
        continue;
      }
      // On the item, not its link: the item takes the click, and the progress badge drawn over the link while
      // the extension starts would turn a click on the link away. A click that could not land is tried next turn.
      await icon.click({ timeout: 5_000 }).catch(() => {});
      // No second click before this one shows: it would close what the first opened.
      await openIcon.waitFor({ timeout: 5_000 }).catch(() => {});
    }
  }

  /** Reloads the window, as reopening VS Code would: the extension starts again. Waits for the workbench and shows the Tasks view. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
    await this.showTasksView();
  }

  /** A view of the TaskMaster container by its title (`Tasks`, `Legend`): header and body. */
  pane(title: string): Locator {
    return this.page.locator(`.part.sidebar .pane:has(> .pane-header[aria-label^="${title}"])`);
  }

  /** The tasks tree's rows. */
  treeRows(): Locator {
    return this.pane('Tasks').locator('.pane-body .monaco-list-row');
  }

  /** The accessible labels of the visible tree rows (`Task 3: Ship it, pending`). */
  async treeLabels(): Promise<string[]> {
    return this.treeRows().evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label') ?? ''));
  }

  /** Waits until a tree row's label satisfies `predicate`; throws with the rows seen. */
  async waitForRow(predicate: (label: string) => boolean, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let labels: string[] = [];
    while (Date.now() < deadline) {
      labels = await this.treeLabels();
      const found = labels.find(predicate);
      if (found) return found;
      await this.page.waitForTimeout(50);
    }
    throw new Error(`no tree row matched within ${timeoutMs} ms; rows: ${JSON.stringify(labels)}`);
  }

  /** The TaskMaster status bar item's accessible label (`TaskMaster live, 1 of 4 done`). */
  async statusBarLabel(): Promise<string> {
    const item = this.page.locator('.part.statusbar .statusbar-item a[aria-label^="TaskMaster"], .part.statusbar .statusbar-item[aria-label^="TaskMaster"]').first();
    return (await item.getAttribute('aria-label', { timeout: 10_000 })) ?? '';
  }

  /** The status bar item's visible text (`live · 1/4`). */
  async statusBarText(): Promise<string> {
    const item = this.page.locator('.part.statusbar .statusbar-item', { has: this.page.locator('[aria-label^="TaskMaster"]') });
    const own = this.page.locator('.part.statusbar .statusbar-item[aria-label^="TaskMaster"]');
    const target = (await own.count()) ? own.first() : item.first();
    return (await target.innerText({ timeout: 10_000 })).trim();
  }

  /** Waits until the status bar label contains `word`. */
  async waitForStatus(word: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let label = '';
    while (Date.now() < deadline) {
      label = await this.statusBarLabel().catch(() => '');
      if (label.includes(word)) return label;
      await this.page.waitForTimeout(100);
    }
    throw new Error(`the status bar did not say "${word}" within ${timeoutMs} ms; it said "${label}"`);
  }

  /** Runs a command from the palette by its title (`TaskMaster: Set Status`). */
  async runCommand(title: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input.input');
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      try {
        await input.fill(`>${title}`, { timeout: 5000 });
        break;
      } catch (err) {
        // The palette can close as it opens (focus moves while a view refreshes): open it again.
        if (attempt === 3) throw err;
        await this.page.keyboard.press('Escape');
      }
    }
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
    await this.page.keyboard.press('Enter');
  }

  /**
   * Runs `title` and, in each quick pick it opens in turn, types the pick's filter and accepts the
   * first row containing its text. A quick pick can close as it opens, as the palette can (focus
   * moves while a view such as the board refreshes): then the command runs again from its start,
   * so a pick that closed before its choice changes nothing.
   */
  async runCommandAndPick(title: string, ...picks: Array<[filter: string, rowText: string]>): Promise<void> {
    const input = this.page.locator('.quick-input-widget input.input');
    for (let attempt = 1; ; attempt++) {
      await this.runCommand(title);
      try {
        for (const [filter, rowText] of picks) {
          await input.waitFor({ state: 'visible', timeout: 5000 });
          await input.fill(filter, { timeout: 5000 });
          await this.page.locator('.quick-input-list .monaco-list-row', { hasText: rowText }).first().click({ timeout: 5000 });
        }
        return;
      } catch (err) {
        if (attempt === 4) throw err;
        await this.page.keyboard.press('Escape');
        // Whatever took the focus may not be done: give it a moment more each time.
        await this.page.waitForTimeout(500 * attempt);
      }
    }
  }

  /** Types into the open quick pick and accepts the first row containing `rowText`. */
  async pick(filter: string, rowText: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(filter);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: rowText }).first().click({ timeout: 10_000 });
  }

  /** Waits for the open input box to show `current`, replaces it with `value` and accepts. */
  async answerInput(current: string, value: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    const deadline = Date.now() + 10_000;
    while ((await input.inputValue()) !== current) {
      if (Date.now() > deadline) throw new Error(`the input box shows "${await input.inputValue()}", expected "${current}"`);
      await this.page.waitForTimeout(50);
    }
    await input.fill(value);
    await this.page.keyboard.press('Enter');
  }

  async screenshot(file: string): Promise<void> {
    await this.page.screenshot({ path: file });
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
