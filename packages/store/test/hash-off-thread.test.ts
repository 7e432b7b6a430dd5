import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { HASH_THREAD_NICE, hashFileOffThread } from '../src/hash-off-thread.js';
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
  // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value.
  const nice = fs.readdirSync('/proc/self/task').map((tid) => Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));
  expect(nice.filter((n) => n === HASH_THREAD_NICE)).toHaveLength(1);
  expect(nice).toContain(0);
});
