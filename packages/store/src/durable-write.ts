import { fstatSync, renameSync, type BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { EncodedFile, FileRange } from './encoded-file.js';
import { SourceChangedError } from './file-source.js';
import { hashFileOffThread, writeFileOffThread, type WritePiece } from './hash-off-thread.js';
import { openNewFileNoFollow, removeFile } from './safe-fs.js';

/** How the new file is made: the mode and owner of the file it replaces. */
export interface PendingWriteOptions {
  /** Permission bits of the new file, applied exactly (the umask does not widen or narrow them). Default 0644 less the umask. */
  mode?: number;
  /** Owner to give the new file (the replaced file's); refused changes (EPERM, not root) are ignored. */
  owner?: { uid: number; gid: number };
  /** The error for bytes that were over their encoder's limit (no hash); by default a plain Error. */
  tooLarge?: (bytes: number) => Error;
  /** The folder to write the temp file in, on the file's file system (see write-target.ts); by default the file's own. */
  tempDir?: string;
}

let counter = 0;

/** The temp-file name used while writing `file`, in `dir`: the file's own folder by default, or another on its file system, so that the rename is atomic. */
export function tempPathFor(file: string, dir = path.dirname(file)): string {
  counter = (counter + 1) % 1e9;
  return path.join(dir, `.${path.basename(file)}.${process.pid}.${counter}.tmp`);
}

/**
 * The new content of `file`, written in full to a temp file (beside it, or in `tempDir`) but
 * not yet synced or visible: the caller learns its hash first and then
 * either commits it (fsync, rename over `file`, fsync the directory) or
 * discards it. Readers of `file` see the old or the new bytes, never a mix,
 * and committed bytes survive a crash.
 */
export class PendingWrite {
  /** Whether the temp file's bytes are durable already ({@link sync}, or a large file fsynced while it was hashed). */
  synced = false;

  private constructor(
    readonly file: string,
    private readonly temp: string,
    private readonly handle: fs.FileHandle,
    /** sha256 hex of the bytes written. */
    readonly hash: string,
    readonly bytes: number,
    /** The temp file's stat once written: the file keeps it through the rename, but for ctime. */
    readonly written: BigIntStats,
  ) {}

  /**
   * Writes `content` (see `encodeWhole`, or the tasks file serializer) to a
   * temp file beside `file`, in as few calls as its segments allow; a large
   * file is then hashed from the temp file by a worker thread.
   */
  static async start(file: string, content: EncodedFile, options: PendingWriteOptions = {}): Promise<PendingWrite> {
    try {
      return await PendingWrite.written(file, content, options);
    } finally {
      // Closed whatever happened: checked once its ranges are copied, or here (a no-op then).
      await content.source?.closeUnchanged();
    }
  }

  private static async written(file: string, content: EncodedFile, options: PendingWriteOptions): Promise<PendingWrite> {
    if (content.overLimit) throw options.tooLarge?.(content.total) ?? new Error(`${file} would be ${content.total} bytes, over its limit`);
    const temp = tempPathFor(file, options.tempDir);
    // Exclusive and no-follow: a link planted at the temp name is never written through.
    const handle = await openNewFileNoFollow(temp, options.mode ?? 0o644, options.mode !== undefined);
    try {
      if (options.owner) await chownUnlessRefused(handle, options.owner);
      // Bytes copied from a file that changed meanwhile may be a mix of two versions: never written.
      const copied = await writeAll(handle, content).then(
        () => undefined,
        (err: unknown) => err,
      );
      if (content.source && !(await content.source.closeUnchanged())) throw new SourceChangedError();
      if (copied !== undefined) throw copied;
      if (content.hash !== undefined) return new PendingWrite(file, temp, handle, content.hash, content.total, await handle.stat({ bigint: true }));
      // A large file is hashed from what was written, off the event loop (hash-off-thread.ts), while it is fsynced.
      // Not as the file thread writes it: the fsync would then wait for the hash, where here it overlaps it. At
      // 10k tasks that made each commit 5–9 ms longer (commit.bench throughput, interleaved: 49.1/46.4 ms per
      // commit reading back, 54.6/55.1 hashing while writing).
      // allSettled: the thread reads the fd, so it is closed (on failure) only once the hash has settled.
      const [hashed, synced] = await Promise.allSettled([hashFileOffThread(handle.fd, content.total), handle.sync()]);
      if (hashed.status === 'rejected') throw hashed.reason;
      if (synced.status === 'rejected') throw synced.reason;
      const pending = new PendingWrite(file, temp, handle, hashed.value, content.total, await handle.stat({ bigint: true }));
      pending.synced = true;
      return pending;
    } catch (err) {
      await handle.close().catch(() => undefined);
      await removeFile(temp).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Makes the write durable and visible. `alongside` (e.g. a snapshot of the
   * old file) runs while the temp file is synced and must succeed before the
   * rename; `beforeRename` may throw to abort. On failure the temp file is
   * removed. Returns the stat of the file as renamed into place (taken through
   * the open handle, so it is ours whatever the path holds by then): its
   * identity lets the next reader skip the bytes.
   */
  async commit(hooks: { alongside?: Promise<unknown>; beforeRename?: () => void } = {}): Promise<BigIntStats> {
    try {
      // allSettled: the temp file must be complete before the cleanup below runs.
      const results = await Promise.allSettled([hooks.alongside, this.synced ? undefined : this.handle.sync()]);
      for (const r of results) if (r.status === 'rejected') throw r.reason;
    } catch (err) {
      await this.discard();
      throw err;
    }
    const placed = await this.rename(hooks.beforeRename);
    await this.syncFolder();
    return placed;
  }

  /** fsyncs the temp file (before the lock is taken, by a staged write); on failure it is removed. */
  async sync(): Promise<void> {
    if (this.synced) return;
    try {
      await this.handle.sync();
      this.synced = true;
    } catch (err) {
      await this.discard();
      throw err;
    }
  }

  /**
   * Renames the synced temp file over `file` (`beforeRename` may throw to
   * abort, which removes it); returns the file's stat as placed. Durable only
   * once {@link syncFolder} has run.
   */
  async rename(beforeRename?: () => void): Promise<BigIntStats> {
    let placed: BigIntStats;
    try {
      beforeRename?.();
      // Synchronous: this runs holding Task Master's lock, where an asynchronous call would wait its
      // turn in a busy event loop. A rename and an fstat, metadata only.
      renameSync(this.temp, this.file);
      // After the rename, which moves ctime: the identity the file keeps until someone changes it.
      placed = fstatSync(this.handle.fd, { bigint: true });
    } catch (err) {
      await this.discard();
      throw err;
    }
    // Closed in the background: the lock is not held for it.
    void this.handle.close().catch(() => undefined);
    return placed;
  }

  /** fsyncs the folder, which makes the rename durable. */
  syncFolder(): Promise<void> {
    return syncDirectory(path.dirname(this.file));
  }

  /** Drops the temp file: the write will not happen. */
  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await removeFile(this.temp).catch(() => undefined);
  }
}

/** Writes the content's segments in order: in one call when all are in memory, else by the file thread, which copies the ranges. */
async function writeAll(handle: fs.FileHandle, content: EncodedFile): Promise<void> {
  if (!content.source) return writeBuffers(handle, content.segments as Buffer[]);
  const pieces: WritePiece[] = [];
  let run: Buffer[] = [];
  const endRun = () => {
    if (run.length === 0) return;
    // One buffer of its own a run, handed over to the thread: the segments are views of buffers a cache may share.
    const bytes = Buffer.allocUnsafeSlow(run.reduce((sum, b) => sum + b.length, 0));
    let at = 0;
    for (const b of run) at += b.copy(bytes, at);
    pieces.push({ bytes });
    run = [];
  };
  for (const segment of content.segments) {
    if (Buffer.isBuffer(segment)) run.push(segment);
    else {
      endRun();
      pieces.push(segment satisfies FileRange);
    }
  }
  endRun();
  const { source } = content;
  await writeFileOffThread(handle.fd, source.handle.fd, pieces, source.expectHash === undefined ? undefined : { hash: source.expectHash, bytes: source.bytes });
}

/** Writes all of `segments`, in order, at the handle's position (a short write continues where it stopped). */
async function writeBuffers(handle: fs.FileHandle, segments: readonly Buffer[]): Promise<void> {
  let left = segments.filter((s) => s.length > 0);
  while (left.length > 0) {
    let written = (await handle.writev(left)).bytesWritten;
    if (written === 0) throw new Error('the temp file took no more bytes');
    let i = 0;
    while (i < left.length && written >= left[i]!.length) written -= left[i++]!.length;
    left = left.slice(i);
    if (written > 0) left[0] = left[0]!.subarray(written);
  }
}

/** Gives the file `owner`; a refusal (not root, or a file system without owners) leaves ours. */
async function chownUnlessRefused(handle: fs.FileHandle, owner: { uid: number; gid: number }): Promise<void> {
  if (owner.uid === process.getuid?.() && owner.gid === process.getgid?.()) return;
  try {
    await handle.chown(owner.uid, owner.gid);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EINVAL' && code !== 'ENOTSUP') throw err;
  }
}

/** fsync a directory so a rename in it is durable (not supported on every platform). */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw err;
  } finally {
    await handle?.close();
  }
}

/** Temp files older than this were left by a writer that died mid-write. */
export const STALE_TEMP_MS = 60_000;

/**
 * Removes the temp files of `file` a killed writer left in `dir` (the file's
 * own folder by default), if older than `olderThanMs`. A `dir` that is a
 * symbolic link is left alone: nothing is removed through it.
 */
export async function removeStaleTempFiles(file: string, olderThanMs: number, dir = path.dirname(file)): Promise<void> {
  if (dir !== path.dirname(file) && !(await fs.lstat(dir).catch(() => undefined))?.isDirectory()) return;
  const prefix = `.${path.basename(file)}.`;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const full = path.join(dir, name);
    try {
      const st = await fs.lstat(full);
      if (st.isFile() && now - st.mtimeMs > olderThanMs) await removeFile(full);
    } catch {
      // Another process cleaned it up first.
    }
  }
}
