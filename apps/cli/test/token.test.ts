import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, connectionFile, connectionToken, makeProject, run, start, waitForLine } from './helpers.js';

afterEach(cleanUp);

const TOKEN = 'a-token-from-a-file-0123456789';
const FREE_PORTS = ['--port', '0', '--http-port', '0'];

/** The daemon's argv as every local user sees it. */
function cmdline(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
}

function serverLog(dir: string): string {
  return readFileSync(path.join(dir, '.taskmaster', 'logs', 'server.log'), 'utf8');
}

/** Adds `values` to the project's sync.json. */
function configure(dir: string, values: Record<string, unknown>): void {
  const file = path.join(dir, '.taskmaster', 'config', 'sync.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...values }, null, 2));
}

/** `sync server start` on free ports; the parsed --json output and stderr. */
async function startJson(dir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = await run(['sync', 'server', 'start', ...FREE_PORTS, ...args, '--json'], dir, env);
  expect(r.code, r.stderr).toBe(0);
  return { connection: JSON.parse(r.stdout) as { pid: number; tokenRequired: boolean }, stderr: r.stderr };
}

/** A task verb goes through the server (so the CLI found the token in connection.json). */
async function verbViaServer(dir: string): Promise<void> {
  const r = await run(['add-task', '--title', 'Through the server', '--verbose'], dir);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain('via server');
}

describe('a token by default', () => {
  it('is generated at start, stored in connection.json (0600) and never printed', async () => {
    const dir = await makeProject();
    const r = await run(['sync', 'server', 'start', ...FREE_PORTS], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Token:     required; stored in .taskmaster/config/connection.json (mode 0600)');
    expect(statSync(connectionFile(dir)).mode & 0o777).toBe(0o600);
    const token = connectionToken(dir);
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(r.stdout + r.stderr).not.toContain(token);
    expect(serverLog(dir)).not.toContain(token);
    await verbViaServer(dir);
  });

  it('says in the foreground where the token is stored, without printing it', async () => {
    const dir = await makeProject();
    const child = start(['sync', 'server', 'start', '--foreground', ...FREE_PORTS], dir);
    const line = await waitForLine(child.stdout!, (l) => l.includes('Token:'));
    expect(line).toContain('required; stored in .taskmaster/config/connection.json (mode 0600)');
    expect(line).not.toContain(connectionToken(dir));
  });
});

describe('giving the server a token', () => {
  it('reads --token-file (trailing newline trimmed) and never puts the token in the daemon’s argv', async () => {
    const dir = await makeProject();
    const file = path.join(dir, 'token.txt');
    writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
    const { connection, stderr } = await startJson(dir, ['--token-file', file]);
    expect(connection.tokenRequired).toBe(true);
    expect(connectionToken(dir)).toBe(TOKEN);
    expect(cmdline(connection.pid)).not.toContain(TOKEN);
    expect(stderr).not.toContain('warning');
    await verbViaServer(dir);
  });

  it('warns when the token file is readable by other users', async () => {
    const dir = await makeProject();
    const file = path.join(dir, 'token.txt');
    writeFileSync(file, TOKEN);
    chmodSync(file, 0o644);
    const { stderr } = await startJson(dir, ['--token-file', file]);
    expect(stderr).toContain(`warning: ${file} is readable by other users (mode 0644); run chmod 600 on it`);
    expect(connectionToken(dir)).toBe(TOKEN);
  });

  it('refuses a token file that is missing or empty (exit 1, naming the file)', async () => {
    const dir = await makeProject();
    const missing = await run(['sync', 'server', 'start', '--token-file', 'nope.txt'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot read the --token-file file ${path.join(dir, 'nope.txt')}: ENOENT`);
    writeFileSync(path.join(dir, 'empty.txt'), '\n', { mode: 0o600 });
    const empty = await run(['sync', 'server', 'start', '--token-file', 'empty.txt'], dir);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('is empty');
  });

  it('reads $TASKMASTER_TOKEN, and $TASKMASTER_SYNC_TOKEN as its alias, keeping both out of the daemon’s argv', async () => {
    for (const name of ['TASKMASTER_TOKEN', 'TASKMASTER_SYNC_TOKEN']) {
      const dir = await makeProject();
      const token = `${TOKEN}-${name}`;
      const { connection, stderr } = await startJson(dir, [], { [name]: token });
      expect(connectionToken(dir)).toBe(token);
      expect(cmdline(connection.pid)).not.toContain(token);
      expect(stderr).not.toContain('warning');
      await verbViaServer(dir);
    }
  });

  it('still takes --token, but warns why and what to use instead, and keeps it out of the daemon’s argv', async () => {
    const dir = await makeProject();
    const { connection, stderr } = await startJson(dir, ['--token', TOKEN]);
    expect(stderr).toContain('warning: --token puts the token on the command line, which every user of this machine can read');
    expect(stderr).toContain('use --token-file <file> or $TASKMASTER_TOKEN instead');
    expect(connectionToken(dir)).toBe(TOKEN);
    expect(cmdline(connection.pid)).not.toContain(TOKEN);
  });
});

describe('"auth": "none"', () => {
  it('starts without a token and warns that anyone who can reach the ports can change the tasks', async () => {
    const dir = await makeProject();
    configure(dir, { auth: 'none' });
    const r = await run(['sync', 'server', 'start', ...FREE_PORTS], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Token:     not required');
    expect(r.stderr).toMatch(/warning: no token required \("auth": "none" in .taskmaster\/config\/sync.json\): anyone who can reach port \d+ or \d+ can read and change the tasks/);
    expect(JSON.parse(readFileSync(connectionFile(dir), 'utf8')).token).toBeUndefined();
    expect(serverLog(dir)).toMatch(/warn no token required \(.*\): anyone who can reach port/);
    await verbViaServer(dir);
  });

  it('warns in the foreground too', async () => {
    const dir = await makeProject();
    configure(dir, { auth: 'none' });
    const child = start(['sync', 'server', 'start', '--foreground', ...FREE_PORTS], dir);
    const warning = await waitForLine(child.stderr!, (l) => l.includes('no token required'));
    expect(warning).toMatch(/anyone who can reach port \d+ or \d+ can read and change the tasks/);
  });
});
