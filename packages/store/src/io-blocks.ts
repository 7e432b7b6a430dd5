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

/** A text encoded whole: its UTF-8 bytes (unless over the limit), and their count. */
export interface EncodedText {
  /** The bytes, valid until {@link release}; empty when `total` is over the limit. */
  bytes: Buffer;
  total: number;
  /** Hands the buffer back for the next write (a large one is let go). */
  release(): void;
}

/**
 * Encodes `pieces` as UTF-8 into one buffer, so the bytes can be written in
 * one call and hashed off the event loop (WebCrypto runs on the thread pool).
 * Past `maxBytes` nothing more is kept: only counted, to say how big the
 * text would be. Every {@link BLOCK_BYTES} it lets the event loop run, so a
 * large file's encoding never holds up the clients for long.
 */
export async function encodeWhole(pieces: Iterable<string>, maxBytes = Infinity): Promise<EncodedText> {
  // Sized for the last text and a little more: a file grows by a few tasks at a time, and growing
  // the buffer copies what it holds.
  const wanted = Math.max(BLOCK_BYTES, lastTotal + (lastTotal >> 4));
  let buffer = spareText && spareText.length >= wanted ? spareText : Buffer.allocUnsafeSlow(wanted);
  spareText = undefined;
  let used = 0;
  let total = 0;
  let nextYield = BLOCK_BYTES;
  for (const piece of pieces) {
    if (total >= nextYield) {
      nextYield = total + BLOCK_BYTES;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (total > maxBytes) {
      total += Buffer.byteLength(piece, 'utf8');
      continue;
    }
    // Up to 3 bytes per UTF-16 unit: the exact length is measured only when that might not fit.
    if (used + piece.length * 3 > buffer.length) {
      const needed = used + Buffer.byteLength(piece, 'utf8');
      if (needed > buffer.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(needed, buffer.length * 2));
        buffer.copy(grown, 0, 0, used);
        buffer = grown;
      }
    }
    used += buffer.write(piece, used, 'utf8');
    total = used;
  }
  const kept = buffer;
  lastTotal = total;
  return {
    bytes: total > maxBytes ? kept.subarray(0, 0) : kept.subarray(0, used),
    total,
    release: () => {
      if (kept.length <= SPARE_TEXT_BYTES) spareText = kept;
    },
  };
}
