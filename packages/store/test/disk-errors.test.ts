import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import { cleanup, filesIn, readSnapshot, rejectionOf, tempFilesLeft } from './helpers.js';

afterEach(cleanup);

/** A small real tmpfs of our own, so the disk can really fill up and be made read-only. */
const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-store-tmpfs-'));
let whyNotMounted: string | undefined;

function sh(...args: string[]): { ok: boolean; why: string } {
  const out = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  return { ok: out.status === 0, why: (out.stderr || out.error?.message || `exit ${out.status}`).trim() };
}

beforeAll(() => {
  if (process.getuid?.() !== 0) {
    whyNotMounted = 'mounting a tmpfs needs root';
    return;
  }
  const mounted = sh('mount', '-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint);
  if (!mounted.ok) whyNotMounted = `mount -t tmpfs failed: ${mounted.why}`;
});

afterAll(() => {
  if (!whyNotMounted) sh('umount', '-l', mountPoint);
  fs.rmSync(mountPoint, { recursive: true, force: true });
});

/** Runs `test` on the tmpfs, or says loudly why it cannot. */
function onTmpfs(name: string, test: (root: string) => Promise<void>): void {
  it(name, async () => {
    if (whyNotMounted) {
      console.warn(`skipped "${name}": ${whyNotMounted}`);
      return;
    }
    const root = fs.mkdtempSync(path.join(mountPoint, 'project-'));
    try {
      await test(root);
    } finally {
      sh('mount', '-o', 'remount,rw', mountPoint);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
}

function project(root: string, tasks: object): string {
  const dir = path.join(root, '.taskmaster', 'tasks');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'tasks.json');
  fs.writeFileSync(file, JSON.stringify(tasks, null, 2));
  return file;
}

/** Fills the file system up, leaving at most `leave` bytes. */
function fillUp(root: string, leave: number): void {
  const { bavail, bsize } = fs.statfsSync(root);
  const free = bavail * bsize;
  const fd = fs.openSync(path.join(root, 'filler'), 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (let left = free - leave; left > 0; left -= chunk.length) fs.writeSync(fd, chunk, 0, Math.min(chunk.length, left));
  } catch {
    // Full already.
  } finally {
    fs.closeSync(fd);
  }
}

describe('disk full, read-only file system', () => {
  onTmpfs('a full disk (ENOSPC) is 1005 saying so and what to do; the old file stays, no temp file is left', async (root) => {
    const file = project(root, { master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } });
    const before = fs.readFileSync(file, 'utf8');
    const store = await openStore(root);
    await store.read();
    fillUp(root, 0);
    const err = await rejectionOf(store.update(1, { details: 'd'.repeat(200_000) }, { tag: 'master' }));
    expect(err.code).toBe(1005);
    expect(err.message).toMatch(/the disk is full \(ENOSPC\)/);
    expect(err.message).toMatch(/free some space and try again/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(filesIn(path.dirname(file)).filter((n) => n.startsWith('tasks.json.lock'))).toEqual([]);
    expect(tempFilesLeft(root)).toEqual([]);
    for (const snap of filesIn(path.join(path.dirname(file), 'history'))) {
      expect(readSnapshot(path.join(path.dirname(file), 'history'), snap.replace(/\.json(\.gz)?$/, ''))).toBe(before);
    }
  });

  onTmpfs('a read-only file system (EROFS) is 1005 saying so and what to do; the file stays', async (root) => {
    const file = project(root, { master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } });
    const before = fs.readFileSync(file, 'utf8');
    const store = await openStore(root);
    await store.read();
    const ro = sh('mount', '-o', 'remount,ro', mountPoint);
    if (!ro.ok) {
      console.warn(`skipped the EROFS check: remount,ro failed: ${ro.why}`);
      return;
    }
    const err = await rejectionOf(store.setStatus([1], 'done', { tag: 'master' }));
    expect(err.code).toBe(1005);
    expect(err.message).toMatch(/the file system is read-only \(EROFS\)/);
    expect(err.message).toMatch(/remount it read-write|make it writable/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    // Reads still work.
    expect((await store.read()).bytes).toBe(Buffer.byteLength(before));
  });
});
