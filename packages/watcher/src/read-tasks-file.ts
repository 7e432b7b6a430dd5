import { readFile } from 'node:fs/promises';
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
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    const name = basename(path);
    const message =
      code === 'ENOENT'
        ? `${name} was removed; the last good state is kept until it comes back`
        : `cannot read ${name} (${code}); check that it is a file you may read`;
    return { ok: false, key: `unreadable:${code}`, problem: { path, message, code: ErrorCode.FileAccessDenied } };
  }
}
