import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ErrorCode } from '@taskmaster/protocol';
import { hashTasksFile } from './hash.js';
import type { TasksFileProblem } from './types.js';

/** The file's bytes and hash, or why they could not be read. */
export type TasksFileRead =
  | { ok: true; bytes: Buffer; hash: string }
  | { ok: false; problem: TasksFileProblem; /** Tells one unreadable state from another. */ key: string };

/** Reads tasks.json once; never throws. */
export async function readTasksFileBytes(path: string): Promise<TasksFileRead> {
  try {
    const bytes = await readFile(path);
    return { ok: true, bytes, hash: hashTasksFile(bytes) };
  } catch (err) {
    return unreadable(path, err);
  }
}

/** The hash of tasks.json, or why it could not be read. */
export type TasksFileHash = { ok: true; hash: string } | Extract<TasksFileRead, { ok: false }>;

/** Bytes a file is hashed in. */
const BLOCK_BYTES = 256 * 1024;

/**
 * The hash of tasks.json, read through a small block: most changes the
 * watcher sees are our own writes, known by hash, and a large file then
 * never needs its bytes in memory at once. Same hash as {@link hashTasksFile}.
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
