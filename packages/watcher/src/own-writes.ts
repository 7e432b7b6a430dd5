import type { BigIntStats } from 'node:fs';
import type { TasksFile } from '@taskmaster/protocol';

/**
 * The identity of a file we wrote, as its writer saw it: device, inode, size
 * and modification time (a rename keeps them; it moves only ctime). `racy`
 * when the file system's clock is too coarse for a later change to be sure
 * to move mtime: then the write is known by its hash only.
 */
export interface WrittenIdentity {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  racy: boolean;
}

/** How long a noted own write waits for its bytes to show up. */
const OWN_WRITE_TTL_MS = 10_000;
const MAX_PENDING = 32;

/**
 * Writes we made ourselves, by hash, waiting for the watcher to see them.
 * Expiry is checked lazily, so no timer is left behind.
 */
export class OwnWrites {
  readonly #notes = new Map<string, { data: TasksFile; at: number; bytes: number | undefined; identity: WrittenIdentity | undefined }>();

  constructor(private readonly ttlMs = OWN_WRITE_TTL_MS) {}

  note(hash: string, data: TasksFile, bytes?: number, identity?: WrittenIdentity, now = Date.now()): void {
    this.#notes.delete(hash); // re-noting moves it to the newest place
    this.#notes.set(hash, { data, at: now, bytes, identity: identity?.racy ? undefined : identity });
    this.#prune(now);
  }

  /** The hash of the noted write whose identity `st` shows, if any: that file is ours without hashing it. */
  hashOfIdentity(st: BigIntStats, now = Date.now()): string | undefined {
    this.#prune(now);
    for (const [hash, { identity: id }] of this.#notes) {
      if (id && id.ino === st.ino && id.dev === st.dev && id.size === st.size && id.mtimeNs === st.mtimeNs) return hash;
    }
    return undefined;
  }

  /** False only when no noted write can be a file of `size` bytes (every note's size is known and differs). */
  mayBeOfSize(size: number, now = Date.now()): boolean {
    this.#prune(now);
    for (const note of this.#notes.values()) if (note.bytes === undefined || note.bytes === size) return true;
    return false;
  }

  /**
   * The data of the noted write with this hash, if any. It and every write
   * noted before it are forgotten: they are superseded, and a later external
   * write that happens to match an old one must not be swallowed.
   */
  take(hash: string, now = Date.now()): { data: TasksFile; bytes: number | undefined } | undefined {
    this.#prune(now);
    const note = this.#notes.get(hash);
    if (!note) return undefined;
    for (const key of this.#notes.keys()) {
      this.#notes.delete(key);
      if (key === hash) break;
    }
    return { data: note.data, bytes: note.bytes };
  }

  #prune(now: number): void {
    for (const [key, note] of this.#notes) {
      if (now - note.at > this.ttlMs || this.#notes.size > MAX_PENDING) this.#notes.delete(key);
    }
  }
}
