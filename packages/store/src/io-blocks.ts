import { createHash } from 'node:crypto';
/** Bytes files are read and written in: few syscalls for a typical tasks.json, and a bounded buffer for any size. */
const BLOCK_BYTES = 1024 * 1024;

let spare: Buffer | undefined;

/**
 * Runs `job` with a block of {@link BLOCK_BYTES}, reusing one kept between
 * calls (a fresh block costs page faults on every write); a call made while
 * the spare is in use gets its own.
 */
export async function withBlock<T>(job: (block: Buffer) => Promise<T>): Promise<T> {
  const block = spare ?? Buffer.allocUnsafeSlow(BLOCK_BYTES);
  spare = undefined;
  try {
    return await job(block);
  } finally {
    spare = block;
  }
}

/** The largest buffer {@link encodeWhole} keeps for the next write: a typical tasks.json, not the largest one seen. */
const SPARE_TEXT_BYTES = 8 * 1024 * 1024;

let spareText: Buffer | undefined;
/** Bytes of the last text encoded: the next one is about as long. */
let lastTotal = 0;

/** A text encoded whole: its UTF-8 bytes (unless over the limit), their count and sha256. */
export interface EncodedText {
  /** The bytes, valid until {@link release}; empty when `total` is over the limit. */
  bytes: Buffer;
  total: number;
  /** sha256 hex of the bytes (undefined when over the limit). */
  hash: string | undefined;
  /** Hands the buffer back for the next write (a large one is let go). */
  release(): void;
}

/**
 * Encodes `pieces` as UTF-8 into one buffer, so the bytes can be written in
 * one call, and hashes them (sha256) as they are encoded. Past `maxBytes`
 * nothing more is kept: only counted, to say how big the text would be.
 * Every {@link BLOCK_BYTES} it hashes what it encoded and lets the event loop
 * run, so a large file never holds up the clients for long. (WebCrypto would
 * hash on libuv's pool instead, but its copies of the bytes left ~40 MB more
 * RssAnon under sustained writes of a 1.4 MB file.)
 */
export async function encodeWhole(pieces: Iterable<string>, maxBytes = Infinity): Promise<EncodedText> {
  // The last write's buffer, or one sized for the last text and a little more: a file grows by a
  // few bytes or tasks at a time, and growing the buffer copies what it holds.
  let buffer = spareText ?? Buffer.allocUnsafeSlow(Math.max(BLOCK_BYTES, lastTotal + (lastTotal >> 4)));
  spareText = undefined;
  const hash = createHash('sha256');
  let used = 0;
  let hashed = 0;
  let total = 0;
  for (const piece of pieces) {
    if (total > maxBytes) {
      total += Buffer.byteLength(piece, 'utf8');
      continue;
    }
    if (used - hashed >= BLOCK_BYTES) {
      hash.update(buffer.subarray(hashed, used));
      hashed = used;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // Up to 3 bytes per UTF-16 unit: the exact length is measured only when that might not fit.
    if (used + piece.length * 3 > buffer.length) {
      const needed = used + Buffer.byteLength(piece, 'utf8');
      if (needed > buffer.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(needed + (needed >> 4), buffer.length + (buffer.length >> 2)));
        buffer.copy(grown, 0, 0, used);
        buffer = grown;
      }
    }
    used += buffer.write(piece, used, 'utf8');
    total = used;
  }
  const over = total > maxBytes;
  if (!over) hash.update(buffer.subarray(hashed, used));
  const kept = buffer;
  lastTotal = total;
  return {
    bytes: over ? kept.subarray(0, 0) : kept.subarray(0, used),
    total,
    hash: over ? undefined : hash.digest('hex'),
    release: () => {
      if (kept.length <= SPARE_TEXT_BYTES) spareText = kept;
    },
  };
}
