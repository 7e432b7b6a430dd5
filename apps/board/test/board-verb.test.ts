import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, eventually, launchBrowser, makeProject, register, runCli } from './helpers.js';

afterEach(cleanup);

const REPO = path.resolve(__dirname, '../../..');

/** The `taskmaster …` lines of the bash blocks of a README's section. */
function examples(file: string, heading: string): string[] {
  const text = readFileSync(path.join(REPO, file), 'utf8');
  const start = text.indexOf(heading);
  const section = text.slice(start, text.indexOf('\n## ', start + heading.length));
  const blocks = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((b) => b.split('\n')).map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l.startsWith('taskmaster '));
}

/** A project whose daemon is stopped at cleanup. */
async function project(): Promise<string> {
  const root = await makeProject();
  register(() => runCli(['sync', 'server', 'stop'], root));
  return root;
}

/** An executable standing in for the browser: it records the address it was asked to open. */
async function fakeBrowser(): Promise<{ command: string; opened: () => string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tm-browser-'));
  const log = path.join(dir, 'opened.txt');
  const command = path.join(dir, 'browser.mjs');
  writeFileSync(command, `#!${process.execPath}\nimport { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(log)}, process.argv[2]);\n`);
  chmodSync(command, 0o755);
  return { command, opened: () => readFileSync(log, 'utf8') };
}

describe('taskmaster board', () => {
  it('starts the server and prints an address that opens the live board', async () => {
    const root = await project();
    const r = await runCli(['board', '--port', '0', '--http-port', '0'], root);
    expect(r.code, r.stderr).toBe(0);
    const url = /Board: (\S+)/.exec(r.stdout)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);
    const browser = await launchBrowser();
    const page = await browser.newPage();
    await page.goto(url!);
    await page.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor();
    expect(await page.locator('[data-task-id]').count()).toBe(93);
    // A second call reuses the running server and prints the same address.
    const again = await runCli(['board'], root);
    expect(again.stdout).toContain(url!);
  });

  it('opens the address with --open, through the browser command, never a shell', async () => {
    const root = await project();
    const browser = await fakeBrowser();
    process.env.BROWSER = browser.command;
    try {
      const r = await runCli(['board', '--open', '--port', '0', '--http-port', '0'], root);
      expect(r.code, r.stderr).toBe(0);
      const url = /Board: (\S+)/.exec(r.stdout)![1]!;
      await eventually(() => expect(browser.opened()).toBe(url));
    } finally {
      delete process.env.BROWSER;
    }
  });

  it('refuses the network without TLS or --insecure-lan, and then prints a working LAN address and a QR code', async () => {
    const root = await project();
    const refused = await runCli(['board', '--host', '0.0.0.0', '--port', '0', '--http-port', '0'], root);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--insecure-lan');
    const r = await runCli(['board', '--host', '0.0.0.0', '--insecure-lan', '--port', '0', '--http-port', '0'], root);
    expect(r.code, r.stderr).toBe(0);
    const lan = /on the network: (\S+)/.exec(r.stdout)?.[1];
    expect(lan, r.stdout).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:\d+\/#token=/);
    expect(r.stdout).toMatch(/[▄▀█]/);
    // The page on the LAN address is the board's own origin: its WebSocket is accepted.
    const browser = await launchBrowser();
    const page = await browser.newPage();
    await page.goto(lan!);
    await page.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor();
  });

  it('runs the README examples as written (on free ports: other servers may hold the defaults)', async () => {
    const lines = [...examples('README.md', '## Board'), ...examples('apps/board/README.md', '# @taskmaster/board')];
    expect(lines.length).toBeGreaterThanOrEqual(6);
    const browser = await fakeBrowser();
    process.env.BROWSER = browser.command;
    try {
      for (const line of lines) {
        const root = await project();
        const r = await runCli([...line.split(/\s+/).slice(1), '--port', '0', '--http-port', '0'], root);
        expect(r.code, `${line}: ${r.stderr}`).toBe(0);
        expect(r.stdout, line).toMatch(/Board: http:\/\/127\.0\.0\.1:\d+\/#token=/);
      }
    } finally {
      delete process.env.BROWSER;
    }
  });
});
