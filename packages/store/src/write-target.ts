import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, TaskmasterError } from '@taskmaster/protocol';
import { fileError } from './errors.js';
import { finalTargetOf } from './safe-fs.js';

/** Where a write of tasks.json goes, and the mode and owner the new file keeps. */
export interface WriteTarget {
  /** tasks.json, or the file it links to: the link itself is kept. */
  file: string;
  /** The folder its temp file is written in (see {@link tempFolderFor}). */
  tempDir: string;
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
export async function writeTargetOf(tasksFile: string, name: string, stagingDir: string): Promise<WriteTarget> {
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
  if (!st) return { file, tempDir: await tempFolderFor(file, tasksFile, stagingDir, undefined) };
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
  // Only now, for a write that may go ahead: a refused one makes nothing, not even the folder.
  return { file, tempDir: await tempFolderFor(file, tasksFile, stagingDir, st.dev), mode, owner: { uid: st.uid, gid: st.gid } };
}

/**
 * The folder the temp file of a write of `file` is made in. The project's
 * own tasks.json is written through `stagingDir`, a folder beside it, made
 * if missing: the temp file's events (the file thread writes a 14 MB file
 * in a score of pieces) then reach no watcher of `tasks/` — chokidar reads
 * that folder again on each event there. The rename into place is as
 * atomic from there as from beside the file: one file system.
 *
 * The temp file goes beside `file` instead when `file` is a link's target
 * (nothing of ours is left in a folder the user chose), when `stagingDir`
 * is a link (a cloned repository can hold one; it is never written
 * through) or not a folder, when it is on another device (the rename would
 * fail), and when it cannot be made.
 */
async function tempFolderFor(file: string, tasksFile: string, stagingDir: string, fileDevice: number | undefined): Promise<string> {
  const beside = path.dirname(file);
  if (file !== tasksFile) return beside;
  try {
    // One lstat a commit once the folder is there; the file's device is known from its stat (its folder's, for a new file).
    let staging = await fs.lstat(stagingDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!staging) {
      // EEXIST: made by another writer meanwhile, and checked like any other.
      await fs.mkdir(stagingDir).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      staging = await fs.lstat(stagingDir);
    }
    const device = fileDevice ?? (await fs.stat(beside)).dev;
    return staging.isDirectory() && staging.dev === device ? stagingDir : beside;
  } catch {
    return beside;
  }
}
