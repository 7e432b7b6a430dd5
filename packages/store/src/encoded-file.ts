import { createHash } from 'node:crypto';
import type { OpenedSource } from './file-source.js';
import { HASH_OFF_THREAD_FROM } from './hash-off-thread.js';
import { BLOCK_BYTES } from './io-blocks.js';

/** `length` bytes at `offset` of a file already on disk (see {@link EncodedFile.source}): copied, never held in memory. */
export interface FileRange {
  offset: number;
  length: number;
}

/** A file's bytes as segments, views of buffers a cache may share or ranges of a file on disk, and their count and hash. */
export interface EncodedFile {
  /** The bytes in order; empty when `total` is over the limit. */
  segments: Array<Buffer | FileRange>;
  total: number;
  /** Over the encoder's limit: nothing was kept, `total` says how big the file would be. */
  overLimit: boolean;
  /**
   * sha256 hex of the bytes; undefined for a file of {@link HASH_OFF_THREAD_FROM}
   * bytes or more, or with ranges, hashed off the event loop once written (see PendingWrite.start).
   */
  hash: string | undefined;
  /** The open file the ranges are read from; the writer checks it unchanged once it has copied them, and closes it. */
  source?: OpenedSource;
}

/**
 * Where new bytes go: buffers filled front to back and never rewritten, so a
 * view of bytes written once stays valid for as long as anyone holds it (a
 * cache, a write still in progress). One space can serve many encodings:
 * the serializer keeps one, so the bytes of a few changed tasks a write share
 * a chunk with the next writes' instead of each holding a small buffer of
 * their own (small buffers come from malloc's heap, which they fragment).
 */
export class WriteSpace {
  private buffer: Buffer | undefined;
  private used = 0;

  /** `chunkBytes`: the size of each buffer (a larger one for bytes that do not fit). */
  constructor(private readonly chunkBytes: number) {}

  /** A buffer with room for `bytes` more bytes at {@link at}. */
  room(bytes: number): Buffer {
    if (!this.buffer || this.used + bytes > this.buffer.length) {
      this.buffer = Buffer.allocUnsafeSlow(Math.max(bytes, this.chunkBytes));
      this.used = 0;
    }
    return this.buffer;
  }

  /** Where the next bytes go in the buffer {@link room} gave. */
  get at(): number {
    return this.used;
  }

  /** Marks `bytes` more bytes as written: they are never written again. */
  advance(bytes: number): void {
    this.used += bytes;
  }
}

/**
 * Builds an {@link EncodedFile}: new text is encoded into a {@link WriteSpace},
 * and the view of its bytes is returned for a cache to hand back later; bytes
 * from elsewhere are appended as views. Views that follow each other in one
 * buffer become one segment. Past `maxBytes` nothing more is kept: only
 * counted, to say how big the file would be.
 */
export class SegmentedBytes {
  private readonly segments: Array<Buffer | FileRange> = [];
  /** The last range, still growing while ranges follow on in the file. */
  private openRange: FileRange | undefined;
  /** The last segment, still growing while views follow on in its buffer (made a Buffer when it ends). */
  private openBuffer: ArrayBufferLike | undefined;
  private openStart = 0;
  private openEnd = 0;
  total = 0;
  /** Bytes encoded since {@link tookBreak}: the caller lets the event loop run every {@link BLOCK_BYTES}. */
  encoded = 0;

  constructor(
    private readonly maxBytes = Infinity,
    private readonly space = new WriteSpace(64 * 1024),
  ) {}

  /** Whether enough was encoded to let the event loop run. */
  get dueBreak(): boolean {
    return this.encoded >= BLOCK_BYTES;
  }

  tookBreak(): void {
    this.encoded = 0;
  }

  /**
   * Appends `text`, then `more`, as UTF-8 and returns the view of their bytes
   * (undefined once over the limit: nothing is kept). Two texts, not their
   * concatenation: writing each is cheaper than joining them into a new string first.
   */
  text(text: string, more = ''): Buffer | undefined {
    if (this.total > this.maxBytes) {
      this.total += Buffer.byteLength(text, 'utf8') + Buffer.byteLength(more, 'utf8');
      return undefined;
    }
    // Up to 3 bytes per UTF-16 unit: the exact length is measured only for a long text.
    const units = text.length + more.length;
    const buffer = this.space.room(units <= 1024 ? units * 3 : Buffer.byteLength(text, 'utf8') + Buffer.byteLength(more, 'utf8'));
    const start = this.space.at;
    let written = buffer.write(text, start, 'utf8');
    if (more.length > 0) written += buffer.write(more, start + written, 'utf8');
    this.space.advance(written);
    this.encoded += written;
    return this.append(buffer.subarray(start, start + written));
  }

  /** Appends a copy of `bytes` in new space and returns it (undefined once over the limit). */
  copy(bytes: Buffer): Buffer | undefined {
    if (this.total > this.maxBytes) {
      this.total += bytes.length;
      return undefined;
    }
    const buffer = this.space.room(bytes.length);
    const start = this.space.at;
    bytes.copy(buffer, start);
    this.space.advance(bytes.length);
    this.encoded += bytes.length;
    return this.append(buffer.subarray(start, start + bytes.length));
  }

  /** Appends a view of bytes held elsewhere (a cached piece), not copied. */
  view(bytes: Buffer): void {
    if (this.total > this.maxBytes) this.total += bytes.length;
    else this.append(bytes);
  }

  /** Appends `length` bytes at `offset` of the source file (see {@link EncodedFile.source}). */
  range(offset: number, length: number): void {
    this.total += length;
    if (this.total > this.maxBytes) {
      this.segments.length = 0;
      this.openBuffer = this.openRange = undefined;
      return;
    }
    if (length === 0) return;
    // Runs of unchanged tasks follow on in the file: one range.
    if (this.openRange && this.openRange.offset + this.openRange.length === offset) {
      this.openRange.length += length;
      return;
    }
    this.closeSegment();
    this.openRange = { offset, length };
  }

  /** The bytes, counted and hashed a block at a time with the event loop let run in between (unless large or with ranges: see {@link EncodedFile.hash}). */
  async finish(): Promise<EncodedFile> {
    if (this.total > this.maxBytes) return { segments: [], total: this.total, overLimit: true, hash: undefined };
    this.closeSegment();
    if (this.total >= HASH_OFF_THREAD_FROM || this.segments.some((s) => !Buffer.isBuffer(s))) return { segments: this.segments, total: this.total, overLimit: false, hash: undefined };
    const hash = createHash('sha256');
    let since = 0;
    for (const segment of this.segments as Buffer[]) {
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
    return { segments: this.segments, total: this.total, overLimit: false, hash: hash.digest('hex') };
  }

  /** How many segments the bytes are in so far. */
  get segmentCount(): number {
    return this.segments.length + (this.openBuffer || this.openRange ? 1 : 0);
  }

  private append(bytes: Buffer): Buffer | undefined {
    this.total += bytes.length;
    if (this.total > this.maxBytes) {
      this.segments.length = 0;
      this.openBuffer = this.openRange = undefined;
      return undefined;
    }
    if (bytes.length === 0) return bytes;
    // Runs of cached tasks follow on in one buffer: extended by two numbers, not a Buffer each.
    if (bytes.buffer === this.openBuffer && bytes.byteOffset === this.openEnd) {
      this.openEnd += bytes.length;
      return bytes;
    }
    this.closeSegment();
    this.openBuffer = bytes.buffer;
    this.openStart = bytes.byteOffset;
    this.openEnd = bytes.byteOffset + bytes.length;
    return bytes;
  }

  private closeSegment(): void {
    if (this.openBuffer) this.segments.push(Buffer.from(this.openBuffer, this.openStart, this.openEnd - this.openStart));
    if (this.openRange) this.segments.push(this.openRange);
    this.openBuffer = this.openRange = undefined;
  }
}

/**
 * Encodes `pieces` as UTF-8, a block at a time with the event loop let run in
 * between, and hashes them (sha256; see {@link EncodedFile.hash}). Past
 * `maxBytes` nothing more is kept, only counted. (WebCrypto would hash on
 * libuv's pool, but its copies of the bytes left ~40 MB more RssAnon under
 * sustained writes of a 1.4 MB file.)
 */
export async function encodeWhole(pieces: Iterable<string>, maxBytes = Infinity): Promise<EncodedFile> {
  const out = new SegmentedBytes(maxBytes, new WriteSpace(BLOCK_BYTES));
  for (const piece of pieces) {
    out.text(piece);
    if (out.dueBreak) {
      out.tookBreak();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  return out.finish();
}
