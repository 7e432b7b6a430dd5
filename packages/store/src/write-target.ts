import fs from 'node:fs/promises';
import { ErrorCode, TaskmasterError } from '@taskmaster/protocol';
import { fileError } from './errors.js';
import { finalTargetOf } from './safe-fs.js';

/** Where a write of tasks.json goes, and the mode and owner the new file keeps. */
export interface WriteTarget {
  /** tasks.json, or the file it links to: the link itself is kept. */
  file: string;
  /** Permission bits of the file replaced; undefined for a new file. */
  mode?: number;
  owner?: { uid: number; gid: number };
}

/**
 * The file a write of `tasksFile` replaces and its mode and owner, after
 * checking that it may be written: a file with no write bit at all (e.g.
 * 0444) is refused with 1005 even for root, who could replace it anyway, and
 * one this user may not write (`access(W_OK)`) is refused too.
 */
export async function writeTargetOf(tasksFile: string, name: string): Promise<WriteTarget> {
  let file: string;
  let st: import('node:fs').Stats | undefined;
  try {
    file = await finalTargetOf(tasksFile);
    st = await fs.stat(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
  } catch (err) {
    throw fileError(err, 'write', name, true);
  }
  if (!st) return { file };
  const mode = st.mode & 0o7777;
  const octal = mode.toString(8).padStart(4, '0');
  if ((mode & 0o222) === 0) {
    throw new TaskmasterError(
      ErrorCode.FileAccessDenied,
      `${name} is read-only (mode ${octal}); nothing was written; make it writable to allow changes`,
      { file: name, mode: octal },
    );
  }
  if (process.getuid?.() !== 0) {
    const writable = await fs.access(file, fs.constants.W_OK).then(
      () => true,
      () => false,
    );
    if (!writable) {
      throw new TaskmasterError(
        ErrorCode.FileAccessDenied,
        `${name} is not writable by this user (mode ${octal}); nothing was written; make it writable to allow changes`,
        { file: name, mode: octal },
      );
    }
  }
  return { file, mode, owner: { uid: st.uid, gid: st.gid } };
}
