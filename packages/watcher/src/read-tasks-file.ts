import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { ErrorCode } from '@taskmaster/protocol';
import type { TasksFileProblem } from './types.js';

/**
 * The file's bytes and their hash, or why they could not be read. The hash is
 * computed on libuv's thread pool (WebCrypto), so the caller can decode, parse
 * and validate the bytes meanwhile: at 10k tasks sha256 of 14 MB takes about as
 * long as validating them.
 */
export type TasksFileRead =
  | { ok: true; bytes: Buffer; hash: Promise<string> }
  | { ok: false; problem: TasksFileProblem; /** Tells one unreadable state from another. */ key: string };

/** Reads tasks.json once; never throws. */
export async function readTasksFileBytes(path: string): Promise<TasksFileRead> {
  try {
    const bytes = await readWhole(path);
    return { ok: true, bytes, hash: hashOffThread(bytes) };
  } catch (err) {
    return unreadable(path, err);
  }
}

/** The same hex sha256 as {@link hashTasksFile}, computed off the main thread. */
async function hashOffThread(bytes: Buffer): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return Buffer.from(digest).toString('hex');
}

/**
 * Reads a file of the size its stat gives in one read: `readFile`'s chunked
 * loop is several times slower on a 14 MB file. A file that shrank meanwhile is
 * returned as read (it fails to parse or is read again on the next event).
 */
async function readWhole(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    for (;;) {
      const { size } = await handle.stat();
      const bytes = Buffer.allocUnsafe(size);
      let filled = 0;
      while (filled < size) {
        const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled < size) return bytes.subarray(0, filled);
      // Grown since the stat (an in-place writer mid-write): read it again at its new size.
      const { bytesRead } = await handle.read(Buffer.alloc(1), 0, 1, size);
      if (bytesRead === 0) return bytes;
    }
  } finally {
    await handle.close();
  }
}

/** The hash of tasks.json, or why it could not be read. */
export type TasksFileHash = { ok: true; hash: string } | Extract<TasksFileRead, { ok: false }>;

/** Bytes a file is hashed in. */
const BLOCK_BYTES = 256 * 1024;

/**
 * The hash of tasks.json, read through a small block: most changes the
 * watcher sees are our own writes, known by hash, and a large file then
 * never needs its bytes in memory at once. Same hash as `hashTasksFile` (hash.ts).
 */
export async function hashTasksFileAt(path: string): Promise<TasksFileHash> {
  try {
    const handle = await open(path, 'r');
    try {
      const hash = createHash('sha256');
      const block = Buffer.allocUnsafe(BLOCK_BYTES);
      for (let at = 0; ; ) {
        const { bytesRead } = await handle.read(block, 0, BLOCK_BYTES, at);
        if (bytesRead === 0) break;
        hash.update(block.subarray(0, bytesRead));
        at += bytesRead;
      }
      return { ok: true, hash: hash.digest('hex') };
    } finally {
      await handle.close();
    }
  } catch (err) {
    return unreadable(path, err);
  }
}

function unreadable(path: string, err: unknown): Extract<TasksFileRead, { ok: false }> {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  const name = basename(path);
  const message =
    code === 'ENOENT'
      ? `${name} was removed; the last good state is kept, and changes are refused, until it comes back`
      : `cannot read ${name} (${code}); check that it is a file you may read`;
  const problem: TasksFileProblem = { path, message, code: ErrorCode.FileAccessDenied };
  if (code === 'ENOENT') problem.missing = true;
  return { ok: false, key: `unreadable:${code}`, problem };
}
