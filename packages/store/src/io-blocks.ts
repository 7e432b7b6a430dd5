/** Bytes files are read and written in: few syscalls for a typical tasks.json, and a bounded buffer for any size. */
export const BLOCK_BYTES = 1024 * 1024;

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
