import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionFile } from '@taskmaster/protocol';
import { ConnectionFileWriter } from '../src/connection-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-connection-'));
  dirs.push(dir);
  return dir;
}

const snapshot = () => ({ pid: process.pid, epoch: 'e1', token: 'secret-token' }) as unknown as ConnectionFile;

function writer(file: string, warnings: string[]) {
  return new ConnectionFileWriter(file, snapshot, (_level, message) => warnings.push(message));
}

describe('connection.json in a project that holds symbolic links', () => {
  it('writes a real 0600 file, never through a symlink planted at connection.json', async () => {
    const config = path.join(tempDir(), 'config');
    fs.mkdirSync(config);
    const victim = path.join(tempDir(), 'victim');
    fs.writeFileSync(victim, 'original\n');
    fs.chmodSync(victim, 0o644);
    const file = path.join(config, 'connection.json');
    fs.symlinkSync(victim, file);
    await writer(file, []).write();
    expect(fs.readFileSync(victim, 'utf8')).toBe('original\n');
    expect(fs.statSync(victim).mode & 0o777).toBe(0o644);
    expect(fs.lstatSync(file).isFile()).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).token).toBe('secret-token');
  });

  it('writes nothing (and warns) when config/ is a symlink to another folder', async () => {
    const project = tempDir();
    const elsewhere = tempDir();
    fs.symlinkSync(elsewhere, path.join(project, 'config'));
    const warnings: string[] = [];
    await writer(path.join(project, 'config', 'connection.json'), warnings).write();
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    expect(warnings.join('\n')).toMatch(/connection\.json/);
  });
});
