import { constants as fsConstants, linkSync, lstatSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { TaskChange } from '@taskmaster/protocol';
import { removeStaleTempFiles, STALE_TEMP_MS, tempPathFor } from './durable-write.js';
import { invalidParams } from './errors.js';
import { GZIP_COMMENT_WINDOW, gunzipLimited, gzipCommentOf, gzipWithComment } from './gzip-comment.js';
import { ensureRealDirectory, removeFile, writeNewFileNoFollow, writeNewFileNoFollowSync } from './safe-fs.js';
import { plainChangeFields } from './sync-log.js';
import { DEFAULT_MAX_BYTES, formatBytes } from './tasks-file.js';

/** What the change that followed a snapshot was: the snapshot holds the file just before it. */
export interface SnapshotAbout {
  /** The operation (`task.setStatus`, `history.restore`…). */
  op?: string;
  /** The ids of the tasks it changed (at most 50). */
  ids?: string[];
  /** Who made it (`cli`, `server`…). */
  actor?: string;
  /** The tag of its first change. */
  tag?: string;
}

/** One saved copy of tasks.json and, for snapshots saved since they were compressed, the change that followed it. */
export interface SnapshotInfo extends SnapshotAbout {
  id: string;
  createdAt: string;
  /** Bytes on disk (compressed); what the history's byte limit counts. */
  bytes: number;
}

/** What a snapshot is made of: the old file's bytes, or the file still holding them. */
export type SnapshotContent = string | Uint8Array | { file: string };

/** How many snapshots to keep and how many bytes they may take in all. */
export interface HistoryLimits {
  maxSnapshots: number;
  maxBytes: number;
}

const ID_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-\d{3,}$/;
/** Snapshots are gzip files; `.json` ones were written by versions before compression, and are still read. */
const COMPRESSED = '.json.gz';
const PLAIN = '.json';
/**
 * zlib's level 1: the 1.5 MB fixture packs to 0.28 of its size in ~11 ms; level 6 gets 0.23 in ~29 ms.
 * Every commit leaves a snapshot to pack, on libuv's pool, off the event loop but not off the
 * machine's cores: at level 6 a stream of updates to a 1.4 MB file kept a core busy with gzip alone.
 */
const LEVEL = 1;
/** The name the temp files of compressed copies are made from (`.compressing.<pid>.<n>.tmp`), before they are linked into place. */
const COMPRESSING = 'compressing';
/** What a kept file's change was (`<id>.about.json`), until it is compressed with the description in its header. */
const ABOUT = '.about.json';
/** Kept files up to this size are compressed after the commit; larger ones stay plain (gzip of 14 MB takes half a second). */
const COMPRESS_MAX_BYTES = 8 * 1024 * 1024;
/** Kept files waiting beyond this many are left plain rather than queued for gzip without end (each compressed after its commit; see {@link TaskHistory.settle}). */
const MAX_COMPRESS_BACKLOG = 16;

/**
 * Snapshots of tasks.json in `tasks/history/<timestamp>-<seq>.json.gz`. Ids
 * sort by time; the sequence number keeps them unique within one millisecond.
 * Each is gzipped (the real 1.5 MB fixture packs to under a third) and says in its gzip
 * header comment which change followed it — operation, task ids, actor —
 * with those values made plain as in the sync log. Callers snapshot while
 * holding the tasks lock, so writers never race here.
 */
export class TaskHistory {
  /**
   * `quietMs` above 0: a kept file is compressed only once writes have paused
   * for that long (see {@link settle}); 0 compresses each after its commit.
   */
  constructor(
    private readonly dir: string,
    private readonly limits: HistoryLimits,
    private readonly quietMs = 0,
  ) {}

  /** Snapshots already described: they never change, so each is read once. */
  private readonly infos = new Map<string, SnapshotInfo>();
  /** Kept files being compressed and pruned, one at a time, after their commits. */
  private settling: Promise<void> = Promise.resolve();
  /** Kept files whose commit has not settled yet (without `quietMs`, whose compression is still to come): not counted or dropped by a prune before it. */
  private readonly unsettled = new Set<string>();
  /** With `quietMs`: kept files left plain while writes kept coming, to compress once they pause. Counted and pruned at their plain size. */
  private readonly toCompress = new Set<string>();
  private quietTimer: NodeJS.Timeout | undefined;

  /**
   * Keeps the file about to be replaced as a snapshot without copying it: a
   * hard link to it, made before the rename that replaces it (its writer
   * holds the tasks lock; after the rename no one writes that file again, as
   * tasks.json then names the new one). A commit of a 14 MB file so costs a
   * link instead of half a second of gzip. The link is compressed afterwards,
   * off the commit's path, when it is small enough. Undefined when no link can
   * be made (history on another file system): then {@link save} copies it.
   * `undo` removes the snapshot (the rename failed: the link would share the
   * live file, which in-place writers change).
   */
  async keep(file: string, about: SnapshotAbout = {}, now = new Date()): Promise<{ id: string; undo(): Promise<void> } | undefined> {
    if (this.limits.maxSnapshots === 0) return undefined;
    // Synchronous calls once the folder is there: this runs holding Task Master's lock, where each
    // asynchronous call would wait its turn in a busy event loop. A link, a stat and a small file.
    if (!lstatSync(this.dir, { throwIfNoEntry: false })?.isDirectory()) await ensureRealDirectory(this.dir, { create: true });
    const plain = describe(about);
    const id = await this.newId(now, (candidate) => linkSync(file, this.plainFileOf(candidate)));
    if (id === undefined) return undefined;
    // Not counted or dropped by a prune until it is settled (compressed, if it will be).
    this.unsettled.add(id);
    const st = lstatSync(this.plainFileOf(id));
    if (Object.keys(plain).length > 0) writeNewFileNoFollowSync(this.aboutFileOf(id), JSON.stringify(plain));
    this.infos.set(id, { id, createdAt: createdAtOf(id), bytes: st.size, ...plain });
    return {
      id,
      undo: async () => {
        this.unsettled.delete(id);
        await this.remove(id);
      },
    };
  }

  /**
   * Run when a store opens, over the plain kept files earlier processes left:
   * - one still `live` (tasks.json's own inode) is unlinked: a writer killed
   *   between the link and its rename leaves one, and Task Master's in-place
   *   writes would change it;
   * - a description (`<id>.about.json`) whose plain file is gone is removed;
   * - with `quietMs`, the others, left plain by a server stopped before its
   *   writes paused, are compressed once this process has gone that long
   *   without a commit. A one-off command (no `quietMs`) leaves them to the next server.
   */
  async tidyKeptFiles(live: string): Promise<void> {
    const st = await fs.stat(live).catch(() => undefined);
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    // Compressed copies of processes stopped before linking them into place.
    await removeStaleTempFiles(path.join(this.dir, COMPRESSING), STALE_TEMP_MS);
    for (const name of names) {
      if (name.endsWith(ABOUT)) {
        await this.removeOrphanDescription(name.slice(0, -ABOUT.length));
        continue;
      }
      const id = idOf(name);
      if (id === undefined || !name.endsWith(PLAIN)) continue;
      const kept = await fs.lstat(this.plainFileOf(id)).catch(() => undefined);
      if (!kept?.isFile()) continue;
      if (st && kept.ino === st.ino && kept.dev === st.dev) await this.remove(id);
      else if (this.quietMs > 0 && kept.size <= COMPRESS_MAX_BYTES) this.toCompress.add(id);
    }
    if (this.toCompress.size > 0) this.compressWhenQuiet();
  }

  /**
   * After the commit that kept `id`, in the background, one at a time:
   * compresses it if it is small enough, then drops the oldest snapshots
   * beyond the limits. {@link list} waits for this, so it sees the settled history.
   *
   * With `quietMs`, the compression waits until no commit has come for that
   * long; until then a kept file counts at its plain size. Under a stream of
   * writes most snapshots are dropped by the limits within a second or two,
   * and compressing each one first took a core's worth of gzip and left
   * malloc's heap fragmented by zlib's 16 KB buffers. At 1k tasks (1.4 MB),
   * 2 s after 2,000 updates, RssAnon was 44–48 MB that way and 36–39 MB this
   * way; the stream ran at 414–464 updates/s, now 535–710, and durable
   * updates/s went from 0.15–0.18 of the rewrite floor to 0.20–0.23
   * (packages/server/bench/commit.bench.mjs).
   */
  settle(id: string): void {
    if (this.quietMs === 0) {
      this.afterSettling(async () => {
        await this.compress(id).catch(() => undefined);
        this.unsettled.delete(id);
        await this.prune();
      });
      return;
    }
    this.unsettled.delete(id);
    this.toCompress.add(id);
    this.afterSettling(async () => {
      await this.prune();
    });
    this.compressWhenQuiet();
  }

  /** (Re)starts the wait of `quietMs` after which the kept files left plain are compressed. */
  private compressWhenQuiet(): void {
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => {
      this.quietTimer = undefined;
      void this.compressWaiting(false);
    }, this.quietMs);
    // A process that is otherwise done does not stay for it: its snapshots stay plain, still complete,
    // for the next server to compress (see tidyKeptFiles).
    this.quietTimer.unref();
  }

  /** Compresses the kept files left plain, newest first (all of them, or until the next commit), then prunes. */
  private compressWaiting(all: boolean): Promise<void> {
    return this.afterSettling(async () => {
      for (const id of [...this.toCompress].reverse()) {
        if (!all && this.quietTimer !== undefined) break; // writes started again
        this.toCompress.delete(id);
        await this.compress(id).catch(() => undefined);
      }
      await this.prune();
    });
  }

  /** Runs `step` after the background work queued so far; its failure is not the next step's. */
  private afterSettling(step: () => Promise<void>): Promise<void> {
    this.settling = this.settling.then(step).catch(() => undefined);
    return this.settling;
  }

  /**
   * Saves `content` as a new snapshot described by `about`, then drops the
   * oldest beyond the limits. Returns the id, if kept. The snapshot is a new
   * file (never a link to the live tasks.json, whose in-place writers would
   * change it; {@link keep} links only a file that a rename is replacing).
   */
  async save(content: SnapshotContent, about: SnapshotAbout = {}, now = new Date()): Promise<string | undefined> {
    if (this.limits.maxSnapshots === 0) return undefined;
    // Checked on every save: a committed `history -> elsewhere` link must never receive copies of tasks.json.
    await ensureRealDirectory(this.dir, { create: true });
    const bytes = typeof content === 'string' || content instanceof Uint8Array ? content : await fs.readFile(content.file);
    const plain = describe(about);
    const packed = await gzipWithComment(bytes, JSON.stringify(plain), LEVEL);
    // O_EXCL refuses an existing name, a symbolic link included; a partial file is removed.
    const id = (await this.newId(now, (candidate) => writeNewFileNoFollow(this.fileOf(candidate), packed)))!;
    this.infos.set(id, { id, createdAt: createdAtOf(id), bytes: packed.length, ...plain });
    const kept = await this.prune();
    return kept.has(id) ? id : undefined;
  }

  /** Snapshots, newest first, once those of commits made so far are settled (compressed, if they are to be). */
  async list(): Promise<SnapshotInfo[]> {
    if (this.toCompress.size > 0) await this.compressWaiting(true);
    await this.settling;
    return this.listNow();
  }

  private async listNow(): Promise<SnapshotInfo[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const ids = new Set<string>();
    for (const name of names) {
      const id = idOf(name);
      if (id !== undefined) ids.add(id);
    }
    const out: SnapshotInfo[] = [];
    for (const id of [...ids].sort().reverse()) {
      let info = this.infos.get(id);
      if (info === undefined) {
        info = await this.describeFile(id);
        if (info === undefined) continue; // Pruned by another writer while we listed.
        this.infos.set(id, info);
      }
      out.push(info);
    }
    return out;
  }

  /** The text of a snapshot, compressed or not; -32602 for an id that is malformed or unknown, or a damaged snapshot. */
  async read(id: string): Promise<string> {
    assertSnapshotId(id);
    const packed = await readNoFollow(this.fileOf(id));
    if (packed === undefined) {
      const plain = await readNoFollow(this.plainFileOf(id));
      if (plain === undefined) throw invalidParams(`snapshot ${id} not found`, { id });
      return plain.toString('utf8');
    }
    try {
      return (await gunzipLimited(packed, DEFAULT_MAX_BYTES)).toString('utf8');
    } catch (err) {
      const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
      throw invalidParams(
        tooBig
          ? `snapshot ${id} unpacks to more than ${formatBytes(DEFAULT_MAX_BYTES)}; it was not restored`
          : `snapshot ${id} is damaged (not a complete gzip file: ${(err as Error).message}); choose another one`,
        { id },
      );
    }
  }

  /**
   * A new snapshot id for `now`, made by `create(candidate)`, which fails with
   * EEXIST when that id is taken; undefined when it fails with an error a
   * hard link meets across file systems or where links are not allowed.
   */
  private async newId(now: Date, create: (candidate: string) => Promise<void> | void): Promise<string | undefined> {
    const stamp = now.toISOString().replace(/:/g, '-');
    for (let seq = 0; ; seq++) {
      const candidate = `${stamp}-${String(seq).padStart(3, '0')}`;
      try {
        await create(candidate);
        return candidate;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EXDEV' || code === 'EPERM' || code === 'ENOTSUP' || code === 'EMLINK') return undefined;
        if (code !== 'EEXIST') throw err;
      }
    }
  }

  /** Replaces the kept file `id` by its compressed copy, described in its header; leaves it plain if it is large or gone. */
  private async compress(id: string): Promise<void> {
    const plainFile = this.plainFileOf(id);
    const st = await fs.lstat(plainFile).catch(() => undefined);
    // Commits faster than their snapshots can be compressed: the backlog stays plain (the byte limit prunes it).
    if (!st?.isFile() || st.size > COMPRESS_MAX_BYTES || this.unsettled.size > MAX_COMPRESS_BACKLOG) return;
    if ((await fs.lstat(this.fileOf(id)).catch(() => undefined))?.isFile()) {
      // Compressed already (by another process, or by one that stopped before removing the plain file):
      // the .json.gz is whole, as it is renamed into place complete.
      await this.removePlain(id);
      this.infos.delete(id); // described at its plain size: read again from the .json.gz
      return;
    }
    const bytes = await readNoFollow(plainFile);
    if (bytes === undefined) return;
    const about = parseDescription((await readNoFollow(this.aboutFileOf(id)))?.toString('utf8'));
    const packed = await gzipWithComment(bytes, JSON.stringify(about), LEVEL);
    // Complete under a temp name of this process's own first: a crash never leaves a partial .json.gz that
    // read() would prefer. Then linked into place, never renamed over one there: another process compressing
    // the same file may have put its copy there and removed the description since this one read it, and this
    // copy's description may then be empty. The first copy in place read the description before anyone removed it.
    const temp = tempPathFor(path.join(this.dir, COMPRESSING));
    await writeNewFileNoFollow(temp, packed);
    let ours = true;
    try {
      await fs.link(temp, this.fileOf(id)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
        ours = false;
      });
    } finally {
      await removeFile(temp);
    }
    await this.removePlain(id);
    const info = this.infos.get(id);
    if (info && ours) this.infos.set(id, { ...info, bytes: packed.length });
    else this.infos.delete(id); // described at its plain size, or by the other copy: read again from the .json.gz
  }

  private async remove(id: string): Promise<void> {
    this.toCompress.delete(id);
    await removeFile(this.fileOf(id));
    await this.removePlain(id);
    this.infos.delete(id);
  }

  /**
   * Removes the plain copy of `id` and its description, the description first:
   * nothing looks for a description without its plain file, so one left by a
   * process stopped between the two would stay for good, and a reader that
   * finds the plain file gone would still see it.
   */
  private async removePlain(id: string): Promise<void> {
    await removeFile(this.aboutFileOf(id));
    await removeFile(this.plainFileOf(id));
  }

  /**
   * Removes the description of `id` if its plain file is gone: one a process
   * before the description-first order (see {@link removePlain}) left when it
   * stopped between the two removals. A description is written after its
   * plain file and removed before it, so one whose plain file is missing now
   * belongs to no snapshot (a compressed one holds its description in its header).
   */
  private async removeOrphanDescription(id: string): Promise<void> {
    if (!ID_PATTERN.test(id)) return;
    if (await fs.lstat(this.plainFileOf(id)).catch(() => undefined)) return;
    // Housekeeping: a history folder this process may not write to still opens.
    await removeFile(this.aboutFileOf(id)).catch(() => undefined);
  }

  /** Drops the oldest snapshots beyond the count and byte limits; returns the ids kept. */
  private async prune(): Promise<Set<string>> {
    const kept = new Set<string>();
    let total = 0;
    let i = 0;
    for (const snap of await this.listNow()) {
      if (this.unsettled.has(snap.id)) {
        kept.add(snap.id);
        continue;
      }
      i++;
      total += snap.bytes;
      if (i > this.limits.maxSnapshots || total > this.limits.maxBytes) {
        await this.remove(snap.id);
      } else {
        kept.add(snap.id);
      }
    }
    return kept;
  }

  /** Size and description of a snapshot on disk, or undefined if it is gone. */
  private async describeFile(id: string): Promise<SnapshotInfo | undefined> {
    const base = { id, createdAt: createdAtOf(id) };
    const compressed = await headOf(this.fileOf(id));
    if (compressed) return { ...base, bytes: compressed.size, ...parseDescription(gzipCommentOf(compressed.head)) };
    const plain = await fs.lstat(this.plainFileOf(id)).catch(() => undefined);
    if (!plain?.isFile()) return undefined;
    return { ...base, bytes: plain.size, ...parseDescription((await readNoFollow(this.aboutFileOf(id)).catch(() => undefined))?.toString('utf8')) };
  }

  private aboutFileOf(id: string): string {
    return path.join(this.dir, `${id}${ABOUT}`);
  }

  private fileOf(id: string): string {
    return path.join(this.dir, `${id}${COMPRESSED}`);
  }

  private plainFileOf(id: string): string {
    return path.join(this.dir, `${id}${PLAIN}`);
  }
}

/** The description of a change that follows a snapshot, for {@link TaskHistory.save}: its op, actor, and the task ids and tag of `changes`. */
export function aboutChange(op: string, actor: string | undefined, changes: readonly TaskChange[]): SnapshotAbout {
  return { op, actor, ids: [...new Set(changes.map((c) => c.payload.id))], tag: changes[0]?.payload.tag };
}

/** `about` made plain, without empty fields. */
function describe(about: SnapshotAbout): SnapshotAbout {
  if (about.op === undefined) return {};
  const plain = plainChangeFields(about);
  return Object.fromEntries(Object.entries(plain).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
}

/** A header comment read back: made plain again, since a cloned repository can carry planted snapshots. */
function parseDescription(comment: string | undefined): SnapshotAbout {
  if (comment === undefined) return {};
  try {
    const parsed = JSON.parse(comment) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? describe(parsed as SnapshotAbout) : {};
  } catch {
    return {};
  }
}

/** The snapshot id a history file name holds, or undefined for anything else (temp files, strays). */
function idOf(name: string): string | undefined {
  const stem = name.endsWith(COMPRESSED) ? name.slice(0, -COMPRESSED.length) : name.endsWith(PLAIN) ? name.slice(0, -PLAIN.length) : undefined;
  return stem !== undefined && ID_PATTERN.test(stem) ? stem : undefined;
}

/** The first bytes and size of a regular file (never through a link), or undefined if it is not there. */
async function headOf(file: string): Promise<{ head: Buffer; size: number } | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return undefined;
    const head = Buffer.alloc(Math.min(GZIP_COMMENT_WINDOW, st.size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return { head: head.subarray(0, bytesRead), size: st.size };
  } finally {
    await handle.close();
  }
}

/** A file's bytes, never through a link (ELOOP then); undefined when it does not exist. */
async function readNoFollow(file: string): Promise<Buffer | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Rejects ids that could reach outside the history folder. */
export function assertSnapshotId(id: string): void {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw invalidParams(`invalid snapshot id ${JSON.stringify(id)}: expected an id as 'taskmaster history list' prints them (history.list)`, { id });
  }
}

function createdAtOf(id: string): string {
  const [date, time] = id.split('T') as [string, string];
  const [h, m, rest] = time.split('-') as [string, string, string];
  return `${date}T${h}:${m}:${rest.slice(0, rest.indexOf('Z') + 1)}`;
}
