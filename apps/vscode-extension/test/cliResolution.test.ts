import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliCommand, findOnPath, resolveCli } from '../src/serverProcess.js';

/** Real folders standing for PATH entries: one with an executable taskmaster, one with a non-executable one, one empty. */
const base = mkdtempSync(path.join(os.tmpdir(), 'tm-cli-resolution-'));
const withCli = path.join(base, 'with-cli');
const notExecutable = path.join(base, 'not-executable');
const empty = path.join(base, 'empty');
for (const dir of [withCli, notExecutable, empty]) mkdirSync(dir);
writeFileSync(path.join(withCli, 'taskmaster'), '#!/bin/sh\necho taskmaster\n');
chmodSync(path.join(withCli, 'taskmaster'), 0o755);
writeFileSync(path.join(notExecutable, 'taskmaster'), 'not a program');
chmodSync(path.join(notExecutable, 'taskmaster'), 0o644);
mkdirSync(path.join(empty, 'taskmaster.d'));
const BUNDLED = path.join(base, 'extension', 'dist', 'taskmaster.cjs');

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('resolveCli', () => {
  it('uses taskmaster.cliPath when it is set, whatever the PATH holds', () => {
    expect(resolveCli('/opt/tm/bin.js', BUNDLED, { PATH: withCli }, 'linux')).toBe('/opt/tm/bin.js');
  });

  it('uses the first taskmaster on the PATH when cliPath is empty', () => {
    expect(resolveCli('', BUNDLED, { PATH: [empty, withCli].join(':') }, 'linux')).toBe(path.join(withCli, 'taskmaster'));
  });

  it('falls back to the bundled copy when no taskmaster is on the PATH', () => {
    expect(resolveCli('', BUNDLED, { PATH: empty }, 'linux')).toBe(BUNDLED);
    expect(resolveCli('', BUNDLED, {}, 'linux')).toBe(BUNDLED);
  });

  it('skips files that are not executable, folders and relative PATH entries', () => {
    expect(resolveCli('', BUNDLED, { PATH: notExecutable }, 'linux')).toBe(BUNDLED);
    expect(findOnPath('taskmaster.d', { PATH: empty }, 'linux')).toBeUndefined();
    expect(resolveCli('', BUNDLED, { PATH: path.relative(process.cwd(), withCli) }, 'linux')).toBe(BUNDLED);
  });

  it('runs the bundled copy with the editor\'s own node', () => {
    expect(cliCommand(resolveCli('', BUNDLED, { PATH: empty }, 'linux'))).toEqual({ command: process.execPath, prefix: [BUNDLED] });
    expect(cliCommand(resolveCli('', BUNDLED, { PATH: withCli }, 'linux'))).toEqual({ command: path.join(withCli, 'taskmaster'), prefix: [] });
  });
});
