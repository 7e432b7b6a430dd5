import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { FILE_THREAD_IDLE_MS, HASH_THREAD_NICE, hashFileOffThread } from '../src/hash-off-thread.js';
import { cleanup, tempProject } from './helpers.js';

afterEach(cleanup);

it('hashes the first bytes of an open file on its thread, and says so when the file is shorter than asked', async () => {
  const file = path.join(tempProject().root, 'bytes.bin');
  const bytes = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 17 }, (_, i) => (i * 31) % 251));
  fs.writeFileSync(file, bytes);
  const fd = fs.openSync(file, 'r');
  try {
    const [whole, part] = await Promise.all([hashFileOffThread(fd, bytes.length), hashFileOffThread(fd, 1000)]);
    expect(whole).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(part).toBe(createHash('sha256').update(bytes.subarray(0, 1000)).digest('hex'));
    await expect(hashFileOffThread(fd, bytes.length + 5)).rejects.toThrow(`the file ended at byte ${bytes.length} of ${bytes.length + 5}`);
  } finally {
    fs.closeSync(fd);
  }
});

it.runIf(process.platform === 'linux')('runs the hashing thread, and only it, at a lower priority', async () => {
  const file = path.join(tempProject().root, 'bytes.bin');
  fs.writeFileSync(file, Buffer.alloc(1024, 1));
  const fd = fs.openSync(file, 'r');
  try {
    await hashFileOffThread(fd, 1024);
  } finally {
    fs.closeSync(fd);
  }
  const nice = niceValues();
  expect(nice.filter((n) => n === HASH_THREAD_NICE)).toHaveLength(1);
  expect(nice).toContain(0);
});

it.runIf(process.platform === 'linux')('ends the thread once it has been idle a while, and starts another for the next file', async () => {
  const file = path.join(tempProject().root, 'bytes.bin');
  const bytes = Buffer.alloc(64 * 1024, 7);
  fs.writeFileSync(file, bytes);
  const fd = fs.openSync(file, 'r');
  try {
    const expected = createHash('sha256').update(bytes).digest('hex');
    expect(await hashFileOffThread(fd, bytes.length)).toBe(expected);
    expect(niceValues().filter((n) => n === HASH_THREAD_NICE)).toHaveLength(1);
    // Still there between jobs closer together than the idle time.
    await new Promise((resolve) => setTimeout(resolve, FILE_THREAD_IDLE_MS / 2));
    expect(await hashFileOffThread(fd, bytes.length)).toBe(expected);
    await new Promise((resolve) => setTimeout(resolve, FILE_THREAD_IDLE_MS / 2 + 100));
    expect(niceValues().filter((n) => n === HASH_THREAD_NICE)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, FILE_THREAD_IDLE_MS + 500));
    expect(niceValues().filter((n) => n === HASH_THREAD_NICE)).toHaveLength(0);
    expect(await hashFileOffThread(fd, bytes.length)).toBe(expected);
    expect(niceValues().filter((n) => n === HASH_THREAD_NICE)).toHaveLength(1);
    // A job sent just as the idle thread is being ended goes to a new one, which the old one's exit does not fail.
    for (const lateMs of [0, 1, 3, 8]) {
      await new Promise((resolve) => setTimeout(resolve, FILE_THREAD_IDLE_MS + lateMs));
      expect(await hashFileOffThread(fd, bytes.length)).toBe(expected);
    }
  } finally {
    fs.closeSync(fd);
  }
});

/** The nice value of each of this process's threads: field 19 of /proc/<pid>/task/<tid>/stat. */
function niceValues(): number[] {
  return fs.readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      return [Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16])];
    } catch {
      return []; // a thread that ended while we looked
    }
  });
}
