import fs from 'node:fs/promises';
import path from 'node:path';
import { invalidParams } from './errors.js';

/** One saved copy of tasks.json. */
export interface SnapshotInfo {
  id: string;
  createdAt: string;
  bytes: number;
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
  private dirReady = false;

  /** Saves `bytes` as a new snapshot, then drops the oldest beyond the limits. Returns the id, if kept. */
  async save(bytes: string | Uint8Array, now = new Date()): Promise<string | undefined> {
    if (this.limits.maxSnapshots === 0) return undefined;
    if (!this.dirReady) {
      await fs.mkdir(this.dir, { recursive: true });
      this.dirReady = true;
    }
    const stamp = now.toISOString().replace(/:/g, '-');
    let id: string | undefined;
    for (let seq = 0; id === undefined; seq++) {
      const candidate = `${stamp}-${String(seq).padStart(3, '0')}`;
      try {
        await fs.writeFile(this.fileOf(candidate), bytes, { flag: 'wx' });
        id = candidate;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    this.sizes.set(id, typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength);
    const kept = await this.prune();
    return kept.has(id) ? id : undefined;
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
