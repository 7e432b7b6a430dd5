import { closeSync, constants, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * File-system primitives that never follow a symbolic link at the path they
 * write. A cloned repository can commit `.taskmaster/logs/sync.log ->
 * ~/.bashrc` or `tasks/history -> ~/somewhere`; whatever we create or append
 * under `.taskmaster/` goes through these, so such a link is refused instead
 * of written through. The refusal is an error with code `ELOOP` (as the kernel
 * gives for `O_NOFOLLOW`) that {@link fileError} turns into a 1005 naming the path.
 */

const { O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } = constants;

/** The error for a symbolic link where a real file or folder must be. */
export function symlinkRefused(file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${file} is a symbolic link`), { code: 'ELOOP', path: file });
}

/**
 * Opens `file` to append, creating it with `mode` if missing; ELOOP when it is
 * a symbolic link (dangling or not), so nothing is ever appended to its target.
 */
export function openForAppendNoFollow(file: string, mode = 0o600): Promise<fs.FileHandle> {
  return fs.open(file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, mode);
}

/**
 * Removes the file (or link) at `file`; nothing there is not an error. One
 * `unlink`: `fs.rm` stats the path first, and history pruning and lock release
 * remove a few files per commit.
 */
export async function removeFile(file: string): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** {@link removeFile} in one synchronous call, for files removed holding Task Master's lock. */
export function removeFileSync(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * Creates `file`, which must not exist (EEXIST otherwise — a link there counts
 * as existing), and opens it for writing and reading back (a large write is
 * hashed from it). `mode` is applied exactly, whatever the umask, when given with `exactMode`.
 */
export async function openNewFileNoFollow(file: string, mode = 0o644, exactMode = false): Promise<fs.FileHandle> {
  const handle = await fs.open(file, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
  if (exactMode) {
    try {
      await handle.chmod(mode);
    } catch (err) {
      await handle.close().catch(() => undefined);
      await removeFile(file).catch(() => undefined);
      throw err;
    }
  }
  return handle;
}

/** Creates `file` holding `data`; EEXIST if anything (a link too) is there. A partial file is removed. */
export async function writeNewFileNoFollow(file: string, data: string | Uint8Array, mode = 0o644, exactMode = false): Promise<void> {
  const handle = await openNewFileNoFollow(file, mode, exactMode);
  try {
    await handle.writeFile(data);
    await handle.close();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await removeFile(file).catch(() => undefined);
    throw err;
  }
}

// Synchronous forms, for the few small files written holding Task Master's lock, where each
// asynchronous call would wait its turn in a busy event loop while Task Master waits for the lock.

/** {@link writeNewFileNoFollow} in synchronous calls; best effort: on failure nothing is left. */
export function writeNewFileNoFollowSync(file: string, data: string): void {
  try {
    writeOpened(openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644), data);
  } catch (err) {
    // A file we created and could not fill goes; one that was there (EEXIST, a link too) is not ours to touch.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    try {
      removeFileSync(file);
    } catch {
      // Left for the next prune: a snapshot description that does not parse is ignored.
    }
  }
}

/** Writes `data` over `file` in place (created with `mode` if missing), never through a link at `file`. */
export function overwriteFileNoFollowSync(file: string, data: string, mode = 0o644): void {
  writeOpened(openSync(file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode), data);
}

/** Reads `file` unless it is a symbolic link (ELOOP then), in synchronous calls. */
export function readFileNoFollowSync(file: string): Buffer {
  const fd = openSync(file, O_RDONLY | O_NOFOLLOW);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeOpened(fd: number, data: string): void {
  try {
    writeFileSync(fd, data);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `file` with `data` atomically (temp file beside it, then rename),
 * never writing through a link: the temp file is created exclusively, and a
 * rename replaces a link at `file` instead of following it. The folder must be
 * a real directory (see {@link ensureRealDirectory}). The temp file is removed on failure.
 */
export async function replaceFileNoFollow(file: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  await ensureRealDirectory(path.dirname(file));
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
  await writeNewFileNoFollow(temp, data, mode, true);
  try {
    await fs.rename(temp, file);
  } catch (err) {
    await removeFile(temp).catch(() => undefined);
    throw err;
  }
}

/** Reads `file` unless it is a symbolic link (ELOOP then). */
export async function readFileNoFollow(file: string): Promise<Buffer> {
  const handle = await fs.open(file, O_RDONLY | O_NOFOLLOW);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Makes sure `dir` is a real directory, not a symbolic link to one: ELOOP for
 * a link, ENOTDIR for anything else. With `create`, a missing `dir` is made
 * (its parents too) and checked again, since a parent may itself be a link
 * planted in its place.
 */
export async function ensureRealDirectory(dir: string, options: { create?: boolean } = {}): Promise<{ created: boolean }> {
  let created = false;
  let st = await fs.lstat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' && options.create) return undefined;
    throw err;
  });
  if (!st) {
    created = (await fs.mkdir(dir, { recursive: true })) !== undefined;
    st = await fs.lstat(dir);
  }
  if (st.isSymbolicLink()) throw symlinkRefused(dir);
  if (!st.isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR', path: dir });
  return { created };
}

/**
 * The file a write of `file` must replace: `file` itself, or, when it is a
 * symbolic link (a user's deliberate choice for tasks.json), the file the
 * chain of links ends at, which may not exist yet. Replacing that keeps the link.
 */
export async function finalTargetOf(file: string): Promise<string> {
  let current = file;
  for (let hops = 0; hops < 40; hops++) {
    const st = await fs.lstat(current).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!st?.isSymbolicLink()) return current;
    current = path.resolve(path.dirname(current), await fs.readlink(current));
  }
  throw symlinkRefused(file);
}
