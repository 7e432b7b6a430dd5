import { createHash } from 'node:crypto';
import { BLOCK_BYTES } from './io-blocks.js';

/** A file's bytes as segments, views of buffers a cache may share, and their count and hash. */
export interface EncodedFile {
  /** The bytes in order; empty when `total` is over the limit. */
  segments: Buffer[];
  total: number;
  /** sha256 hex of the bytes; undefined when `total` is over the limit. */
  hash: string | undefined;
}

/** The first buffer new bytes are written into, unless told more; each next one is twice the last (up to {@link MAX_ARENA_BYTES}). */
const MIN_ARENA_BYTES = 16 * 1024;
const MAX_ARENA_BYTES = 16 * 1024 * 1024;

/**
 * Builds an {@link EncodedFile}: new text is encoded into buffers that are
 * never moved or reused (arenas), so a view of its bytes stays valid for a
 * cache to hand back later; bytes from elsewhere are appended as views. Views
 * that follow each other in one buffer become one segment. Past `maxBytes`
 * nothing more is kept: only counted, to say how big the file would be.
 */
export class SegmentedBytes {
  readonly segments: Buffer[] = [];
  total = 0;
  /** Bytes encoded since {@link tookBreak}: the caller lets the event loop run every {@link BLOCK_BYTES}. */
  encoded = 0;
  private arena: Buffer | undefined;
  private used = 0;

  /** `sizeHint`: the first buffer's size, for when most of the file will be new bytes. */
  constructor(
    private readonly maxBytes = Infinity,
    private sizeHint = MIN_ARENA_BYTES,
  ) {
    this.sizeHint = Math.max(MIN_ARENA_BYTES, sizeHint);
  }

  /** Whether enough was encoded to let the event loop run. */
  get dueBreak(): boolean {
    return this.encoded >= BLOCK_BYTES;
  }

  tookBreak(): void {
    this.encoded = 0;
  }

  /** Appends `text` as UTF-8 and returns the view of its bytes (undefined once over the limit: nothing is kept). */
  text(text: string): Buffer | undefined {
    if (this.total > this.maxBytes) {
      this.total += Buffer.byteLength(text, 'utf8');
      return undefined;
    }
    // Up to 3 bytes per UTF-16 unit: the exact length is measured only when that might not fit.
    if (!this.arena || this.used + text.length * 3 > this.arena.length) {
      const needed = Buffer.byteLength(text, 'utf8');
      if (!this.arena || this.used + needed > this.arena.length) this.newArena(needed);
    }
    const arena = this.arena!;
    const start = this.used;
    this.used += arena.write(text, start, 'utf8');
    this.encoded += this.used - start;
    return this.append(arena.subarray(start, this.used));
  }

  /** Appends a copy of `bytes` in this file's own buffer and returns it (undefined once over the limit). */
  copy(bytes: Buffer): Buffer | undefined {
    if (this.total > this.maxBytes) {
      this.total += bytes.length;
      return undefined;
    }
    if (!this.arena || this.used + bytes.length > this.arena.length) this.newArena(bytes.length);
    const arena = this.arena!;
    const start = this.used;
    this.used += bytes.copy(arena, start);
    this.encoded += bytes.length;
    return this.append(arena.subarray(start, this.used));
  }

  /** Appends a view of bytes held elsewhere (a cached piece), not copied. */
  view(bytes: Buffer): void {
    if (this.total > this.maxBytes) this.total += bytes.length;
    else this.append(bytes);
  }

  /** The bytes, counted and hashed a block at a time with the event loop let run in between. */
  async finish(): Promise<EncodedFile> {
    if (this.total > this.maxBytes) return { segments: [], total: this.total, hash: undefined };
    const hash = createHash('sha256');
    let since = 0;
    for (const segment of this.segments) {
      for (let at = 0; at < segment.length; ) {
        const end = Math.min(segment.length, at + BLOCK_BYTES - since);
        hash.update(segment.subarray(at, end));
        since += end - at;
        at = end;
        if (since >= BLOCK_BYTES) {
          since = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    }
    return { segments: this.segments, total: this.total, hash: hash.digest('hex') };
  }

  private newArena(needed: number): void {
    this.arena = Buffer.allocUnsafeSlow(Math.max(needed, this.sizeHint));
    this.used = 0;
    this.sizeHint = Math.min(MAX_ARENA_BYTES, 2 * this.arena.length);
  }

  private append(bytes: Buffer): Buffer | undefined {
    this.total += bytes.length;
    if (this.total > this.maxBytes) {
      this.segments.length = 0;
      this.arena = undefined;
      return undefined;
    }
    const last = this.segments[this.segments.length - 1];
    if (last && last.buffer === bytes.buffer && last.byteOffset + last.length === bytes.byteOffset) {
      this.segments[this.segments.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + bytes.length);
    } else if (bytes.length > 0) {
      this.segments.push(bytes);
    }
    return bytes;
  }
}

/**
 * Encodes `pieces` as UTF-8, a block at a time with the event loop let run in
 * between, and hashes them (sha256). Past `maxBytes` nothing more is kept,
 * only counted. (WebCrypto would hash on libuv's pool instead, but its copies
 * of the bytes left ~40 MB more RssAnon under sustained writes of a 1.4 MB file.)
 */
export async function encodeWhole(pieces: Iterable<string>, maxBytes = Infinity): Promise<EncodedFile> {
  const out = new SegmentedBytes(maxBytes);
  for (const piece of pieces) {
    out.text(piece);
    if (out.dueBreak) {
      out.tookBreak();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  return out.finish();
}
