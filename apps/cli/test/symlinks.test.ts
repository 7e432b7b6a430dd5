import { lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, emptyDir, makeProject, pidFile, run, start, waitForLine } from './helpers.js';

afterEach(cleanUp);

const FREE_PORTS = ['--port', '0', '--http-port', '0'];

/** A file outside the project standing for a user's shell start-up file. */
function bait(): string {
  const file = path.join(emptyDir(), '.bashrc');
  writeFileSync(file, '# my shell settings\n');
  return file;
}

describe('a cloned repository that plants symbolic links under .taskmaster', () => {
  it('never appends the daemon log through a linked server.log or logs folder', async () => {
    for (const planted of ['file', 'folder'] as const) {
      const dir = await makeProject();
      const target = bait();
      const logs = path.join(dir, '.taskmaster', 'logs');
      if (planted === 'file') symlinkSync(target, path.join(logs, 'server.log'));
      else {
        rmSync(logs, { recursive: true, force: true });
        symlinkSync(path.dirname(target), logs);
      }
      const r = await run(['sync', 'server', 'start', ...FREE_PORTS], dir);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/symbolic link/);
      expect(readFileSync(target, 'utf8')).toBe('# my shell settings\n');
    }
  });

  it('replaces a linked pid file with its own, never writing through the link', async () => {
    const dir = await makeProject();
    const target = bait();
    symlinkSync(target, pidFile(dir));
    const child = start(['sync', 'server', 'start', ...FREE_PORTS, '--foreground'], dir);
    await waitForLine(child.stdout!, (line) => line.includes('listening'));
    expect(lstatSync(pidFile(dir)).isSymbolicLink()).toBe(false);
    expect(readFileSync(pidFile(dir), 'utf8').trim()).toBe(String(child.pid));
    expect(readFileSync(target, 'utf8')).toBe('# my shell settings\n');
    child.kill('SIGTERM');
  });

  it('never writes SPARC mappings through a linked sparc folder', async () => {
    const dir = await makeProject();
    const target = bait();
    const sparc = path.join(dir, '.taskmaster', 'sparc');
    rmSync(sparc, { recursive: true, force: true });
    mkdirSync(path.join(path.dirname(target), 'elsewhere'));
    symlinkSync(path.join(path.dirname(target), 'elsewhere'), sparc);
    const r = await run(['sparc', 'set', '1', 'architect'], dir);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/symbolic link/);
  });
});
