import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
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

/**
 * Writes `pieces` as UTF-8 to `handle`, a block of {@link BLOCK_BYTES} at a
 * time through the reused block, and hashes them (sha256) as they go. Each
 * block's write lets the event loop run, so a large file never holds up the
 * clients for long, and a file of any size costs one block of memory: a
 * buffer the size of the file, fresh for each write, cost a page fault per
 * 4 KB (about a third of encoding a 14 MB file). Past `maxBytes` nothing more
 * is written, only counted, to say how big the text would be; the hash is
 * then undefined. (WebCrypto would hash on libuv's pool instead, but its
 * copies of the bytes left ~40 MB more RssAnon under sustained writes of a
 * 1.4 MB file.)
 */
export function writeEncoded(handle: FileHandle, pieces: Iterable<string>, maxBytes = Infinity): Promise<{ total: number; hash: string | undefined }> {
  return withBlock(async (block) => {
    const hash = createHash('sha256');
    let used = 0;
    let total = 0;
    const write = async (bytes: Buffer) => {
      hash.update(bytes);
      for (let at = 0; at < bytes.length; ) at += (await handle.write(bytes, at, bytes.length - at)).bytesWritten;
    };
    for (const piece of pieces) {
      if (total > maxBytes) {
        total += Buffer.byteLength(piece, 'utf8');
        continue;
      }
      // Up to 3 bytes per UTF-16 unit: the exact length is measured only when that might not fit.
      if (used + piece.length * 3 > block.length) {
        const length = Buffer.byteLength(piece, 'utf8');
        if (used + length > block.length) {
          await write(block.subarray(0, used));
          used = 0;
          if (length > block.length) {
            total += length;
            if (total <= maxBytes) await write(Buffer.from(piece, 'utf8'));
            continue;
          }
        }
      }
      const written = block.write(piece, used, 'utf8');
      used += written;
      total += written;
    }
    if (total > maxBytes) return { total, hash: undefined };
    await write(block.subarray(0, used));
    return { total, hash: hash.digest('hex') };
  });
}
