import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import { sameIdentity, type FileIdentity } from './file-identity.js';

/** Read only, and never through a link planted where the file was (Windows has no O_NOFOLLOW: 0 there). */
const READ_NO_FOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/**
 * The file this process wrote last, as a source of the bytes of the tasks
 * it still holds: a large file's next version copies them from it (through
 * the page cache, off the event loop) instead of keeping a copy of the
 * file's text in memory. Used only while the file is provably the one
 * written, unchanged: its identity (see file-identity.ts) when opened and
 * again once the bytes are copied — and, where that identity cannot vouch
 * for the bytes (taken in the rename's own tick of a coarse clock, where a
 * change in that tick would not show), the bytes hashed once copied,
 * against the hash written.
 */
export class FileSource {
  constructor(
    /** The file really written (a tasks.json link's target). */
    readonly file: string,
    /** Its identity as renamed into place. */
    private readonly placed: FileIdentity,
    /** sha256 of the bytes written. */
    private readonly hash: string,
  ) {}

  /** The file, opened, if its identity is still the one written; else undefined. */
  async open(): Promise<OpenedSource | undefined> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, READ_NO_FOLLOW);
    } catch {
      return undefined;
    }
    try {
      const seen = await handle.stat({ bigint: true });
      if (!sameIdentity(this.placed, seen)) throw new Error('changed');
      // A racy identity (taken in the tick of the rename, on a coarse clock) would not show a change made
      // in that tick: the bytes vouch instead. Not waited out: back-to-back commits would each wait a tick.
      return new OpenedSource(handle, this.placed, this.placed.racy ? this.hash : undefined);
    } catch {
      await handle.close().catch(() => undefined);
      return undefined;
    }
  }
}

/** A {@link FileSource} opened for one write: ranges are read through {@link handle}. */
export class OpenedSource {
  private closed = false;

  constructor(
    readonly handle: fs.FileHandle,
    /** Its identity, as written and as seen when opened. */
    private readonly identity: FileIdentity,
    /** The hash its bytes must have once copied from (see {@link FileSource}); undefined when its identity vouches for them. */
    readonly expectHash: string | undefined,
  ) {}

  /** The file's size when opened. */
  get bytes(): number {
    return Number(this.identity.size);
  }

  /**
   * Closes the file; true when it was unchanged all along, so the bytes read
   * from it are the bytes it held when opened (any change since the identity
   * was checked moves ctime: see {@link FileSource.open}).
   */
  async closeUnchanged(): Promise<boolean> {
    if (this.closed) return false;
    this.closed = true;
    try {
      const now = await this.handle.stat({ bigint: true });
      return sameIdentity(this.identity, now);
    } catch {
      return false;
    } finally {
      await this.handle.close().catch(() => undefined);
    }
  }
}

/** Thrown by a write whose source file changed while its ranges were copied: it is encoded again without them. */
export class SourceChangedError extends Error {
  constructor() {
    super('the file changed while bytes were copied from it');
  }
}
