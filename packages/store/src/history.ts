import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { invalidParams } from './errors.js';
import { ensureRealDirectory, writeNewFileNoFollow } from './safe-fs.js';
import type { FileIdentity } from './tasks-file.js';

/** One saved copy of tasks.json. */
export interface SnapshotInfo {
  id: string;
  createdAt: string;
  bytes: number;
}

/** The file a snapshot's bytes were read from, as it was when read. */
export interface SnapshotSource {
  file: string;
  stat: FileIdentity;
}

/** How many snapshots to keep and how many bytes they may take in all. */
export interface HistoryLimits {
  maxSnapshots: number;
  maxBytes: number;
}

const ID_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-\d{3,}$/;

/**
 * Snapshots of tasks.json in `tasks/history/<timestamp>-<seq>.json`. Ids sort
 * by time; the sequence number keeps them unique within one millisecond.
 * Callers snapshot while holding the tasks lock, so writers never race here.
 */
export class TaskHistory {
  constructor(
    private readonly dir: string,
    private readonly limits: HistoryLimits,
  ) {}

  /** Sizes of snapshots already seen: snapshots never change, so each is stat'ed once. */
  private readonly sizes = new Map<string, number>();

  /**
   * Saves `bytes` as a new snapshot, then drops the oldest beyond the limits. Returns the id, if kept.
   * When `source` still is the file the bytes were read from, the snapshot is a hard link to it:
   * no copy is written, and the caller is about to rename a new file over `source`, which leaves
   * the snapshot the only name of the old bytes. Until then it shares them with the live file,
   * so a caller that does not rename must call {@link discardIfLive}. Without `bytes`, a
   * snapshot that cannot be a link is a copy of `source`.
   */
  async save(bytes: string | Uint8Array | undefined, now = new Date(), source?: SnapshotSource): Promise<string | undefined> {
    if (this.limits.maxSnapshots === 0) return undefined;
    // Checked on every save: a committed `history -> elsewhere` link must never receive copies of tasks.json.
    await ensureRealDirectory(this.dir, { create: true });
    const stamp = now.toISOString().replace(/:/g, '-');
    let linkFrom = source && (await isSameFile(source)) ? source.file : undefined;
    let id: string | undefined;
    for (let seq = 0; id === undefined; seq++) {
      const candidate = `${stamp}-${String(seq).padStart(3, '0')}`;
      try {
        // link(), O_EXCL and COPYFILE_EXCL all refuse an existing name, a symbolic link included.
        if (linkFrom) await fs.link(linkFrom, this.fileOf(candidate));
        else if (bytes !== undefined) await writeNewFileNoFollow(this.fileOf(candidate), bytes);
        else if (source) await copyNew(source.file, this.fileOf(candidate));
        else throw new Error('a snapshot needs the bytes or the file they are in');
        id = candidate;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        // No hard links here (EPERM, EXDEV, ENOTSUP, EMLINK…): copy instead.
        if (!linkFrom) throw err;
        linkFrom = undefined;
        seq--;
      }
    }
    this.sizes.set(id, bytes === undefined ? source!.stat.size : typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength);
    const kept = await this.prune();
    return kept.has(id) ? id : undefined;
  }

  /** Removes snapshot `id` if it still is `file` itself (a link whose write did not happen). */
  async discardIfLive(id: string, file: string): Promise<void> {
    const [snap, live] = await Promise.all([fs.lstat(this.fileOf(id)), fs.lstat(file)]).catch(() => []);
    if (snap && live && snap.ino === live.ino && snap.dev === live.dev) {
      await fs.rm(this.fileOf(id), { force: true });
      this.sizes.delete(id);
    }
  }

  /**
   * Turns snapshots that are still hard links to `file` (left by a writer that
   * died between the snapshot and its rename) into copies, so in-place writes
   * of `file` (Task Master's) cannot change them.
   */
  async detachFrom(file: string): Promise<void> {
    const live = await fs.stat(file).catch(() => undefined);
    if (!live || live.nlink < 2) return;
    // A linked history folder is refused by save(); nothing of ours to detach there.
    const real = await ensureRealDirectory(this.dir).then(
      () => true,
      () => false,
    );
    if (!real) return;
    for (const { id } of await this.list()) {
      const snap = this.fileOf(id);
      const st = await fs.lstat(snap).catch(() => undefined);
      if (st?.ino !== live.ino || st.dev !== live.dev) continue;
      const temp = `${snap}.${process.pid}.tmp`;
      // Whatever is at the temp name (a planted link, a dead run's copy) is removed, never written through.
      await fs.rm(temp, { force: true });
      await copyNew(file, temp);
      await fs.rename(temp, snap);
    }
  }

  /** Snapshots, newest first. */
  async list(): Promise<SnapshotInfo[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const ids = names
      .filter((n) => n.endsWith('.json') && ID_PATTERN.test(n.slice(0, -5)))
      .map((n) => n.slice(0, -5))
      .sort()
      .reverse();
    const out: SnapshotInfo[] = [];
    for (const id of ids) {
      let bytes = this.sizes.get(id);
      if (bytes === undefined) {
        try {
          bytes = (await fs.stat(this.fileOf(id))).size;
          this.sizes.set(id, bytes);
        } catch {
          continue; // Pruned by another writer while we listed.
        }
      }
      out.push({ id, createdAt: createdAtOf(id), bytes });
    }
    return out;
  }

  /** The text of a snapshot; -32602 for an id that is malformed or unknown. */
  async read(id: string): Promise<string> {
    assertSnapshotId(id);
    try {
      return await fs.readFile(this.fileOf(id), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw invalidParams(`snapshot ${id} not found`, { id });
      throw err;
    }
  }

  /** Drops the oldest snapshots beyond the count and byte limits; returns the ids kept. */
  private async prune(): Promise<Set<string>> {
    const kept = new Set<string>();
    let total = 0;
    for (const [i, snap] of (await this.list()).entries()) {
      total += snap.bytes;
      if (i >= this.limits.maxSnapshots || total > this.limits.maxBytes) {
        await fs.rm(this.fileOf(snap.id), { force: true });
        this.sizes.delete(snap.id);
      } else {
        kept.add(snap.id);
      }
    }
    return kept;
  }

  private fileOf(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }
}

/** Copies `from` to a new file `to` (never through a link there); a partial copy is removed. */
async function copyNew(from: string, to: string): Promise<void> {
  try {
    await fs.copyFile(from, to, fsConstants.COPYFILE_EXCL);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') await fs.rm(to, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Whether `source.file` is still the file that was read: same inode, size and mtime. */
async function isSameFile(source: SnapshotSource): Promise<boolean> {
  const st = await fs.lstat(source.file).catch(() => undefined);
  return st !== undefined && st.isFile() && st.ino === source.stat.ino && st.size === source.stat.size && st.mtimeMs === source.stat.mtimeMs;
}

/** Rejects ids that could reach outside the history folder. */
export function assertSnapshotId(id: string): void {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw invalidParams(`invalid snapshot id ${JSON.stringify(id)}: expected an id from history.list()`, { id });
  }
}

function createdAtOf(id: string): string {
  const [date, time] = id.split('T') as [string, string];
  const [h, m, rest] = time.split('-') as [string, string, string];
  return `${date}T${h}:${m}:${rest.slice(0, rest.indexOf('Z') + 1)}`;
}
