import fs from 'node:fs/promises';
import path from 'node:path';

let counter = 0;

/** The temp-file name used while writing `file`: same directory, so the rename is atomic. */
export function tempPathFor(file: string): string {
  counter = (counter + 1) % 1e9;
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter}.tmp`);
}

/**
 * Replaces `file` with `bytes` so that readers see the old or the new bytes,
 * never a mix, and the new bytes survive a crash: write a temp file in the
 * same directory, fsync it, rename it over `file`, fsync the directory.
 * `alongside` (e.g. a snapshot of the old file) runs while the temp file is
 * written and synced, and must succeed before the rename; `beforeRename` may
 * throw to abort. On any failure the temp file is removed.
 */
export async function writeFileDurable(
  file: string,
  bytes: Uint8Array,
  hooks: { alongside?: Promise<unknown>; beforeRename?: () => void } = {},
): Promise<void> {
  const temp = tempPathFor(file);
  let renamed = false;
  try {
    // allSettled: the temp file must be complete (or never made) before the cleanup below runs.
    const results = await Promise.allSettled([hooks.alongside, writeSynced(temp, bytes)]);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    hooks.beforeRename?.();
    await fs.rename(temp, file);
    renamed = true;
  } finally {
    if (!renamed) await fs.rm(temp, { force: true }).catch(() => undefined);
  }
  await syncDirectory(path.dirname(file));
}

async function writeSynced(file: string, bytes: Uint8Array): Promise<void> {
  const handle = await fs.open(file, 'wx', 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
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
