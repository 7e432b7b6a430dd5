import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { withBlock } from './io-blocks.js';

let counter = 0;

/** The temp-file name used while writing `file`: same directory, so the rename is atomic. */
export function tempPathFor(file: string): string {
  counter = (counter + 1) % 1e9;
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter}.tmp`);
}

/**
 * The new content of `file`, written in full to a temp file beside it but
 * not yet synced or visible: the caller learns its hash first and then
 * either commits it (fsync, rename over `file`, fsync the directory) or
 * discards it. Readers of `file` see the old or the new bytes, never a mix,
 * and committed bytes survive a crash.
 */
export class PendingWrite {
  private constructor(
    readonly file: string,
    private readonly temp: string,
    private readonly handle: fs.FileHandle,
    /** sha256 hex of the bytes written. */
    readonly hash: string,
    readonly bytes: number,
  ) {}

  /**
   * Writes `pieces` (UTF-8) to a temp file beside it, hashing them on the way
   * through one reused block, so a large file never needs its whole text or
   * bytes in memory at once.
   */
  static async start(file: string, pieces: Iterable<string>): Promise<PendingWrite> {
    const temp = tempPathFor(file);
    const handle = await fs.open(temp, 'wx', 0o644);
    try {
      return await withBlock(async (block) => {
        const hash = createHash('sha256');
        let used = 0;
        let total = 0;
        const put = async (bytes: Uint8Array) => {
          hash.update(bytes);
          total += bytes.length;
          for (let at = 0; at < bytes.length; ) at += (await handle.write(bytes, at, bytes.length - at)).bytesWritten;
        };
        for (const piece of pieces) {
          // Up to 3 bytes per UTF-16 unit: a piece that might not fit is flushed first, a huge one written alone.
          if (used + piece.length * 3 > block.length) {
            await put(block.subarray(0, used));
            used = 0;
            if (piece.length * 3 > block.length) {
              await put(Buffer.from(piece, 'utf8'));
              continue;
            }
          }
          used += block.write(piece, used, 'utf8');
        }
        await put(block.subarray(0, used));
        return new PendingWrite(file, temp, handle, hash.digest('hex'), total);
      });
    } catch (err) {
      await handle.close().catch(() => undefined);
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Makes the write durable and visible. `alongside` (e.g. a snapshot of the
   * old file) runs while the temp file is synced and must succeed before the
   * rename; `beforeRename` may throw to abort. On failure the temp file is removed.
   */
  async commit(hooks: { alongside?: Promise<unknown>; beforeRename?: () => void } = {}): Promise<void> {
    let renamed = false;
    try {
      // allSettled: the temp file must be complete and closed before the cleanup below runs.
      const results = await Promise.allSettled([hooks.alongside, this.syncAndClose()]);
      for (const r of results) if (r.status === 'rejected') throw r.reason;
      hooks.beforeRename?.();
      await fs.rename(this.temp, this.file);
      renamed = true;
    } finally {
      if (!renamed) await fs.rm(this.temp, { force: true }).catch(() => undefined);
    }
    await syncDirectory(path.dirname(this.file));
  }

  /** Drops the temp file: the write will not happen. */
  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await fs.rm(this.temp, { force: true }).catch(() => undefined);
  }

  private async syncAndClose(): Promise<void> {
    try {
      await this.handle.sync();
    } finally {
      await this.handle.close();
    }
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

/** Removes temp files a killed writer left behind, if older than `olderThanMs`. */
export async function removeStaleTempFiles(file: string, olderThanMs: number): Promise<void> {
  const dir = path.dirname(file);
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
      if (st.isFile() && now - st.mtimeMs > olderThanMs) await fs.rm(full, { force: true });
    } catch {
      // Another process cleaned it up first.
    }
  }
}
