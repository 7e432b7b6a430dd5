import { Worker } from 'node:worker_threads';
import type { FileRange } from './encoded-file.js';
import { SourceChangedError } from './file-source.js';

/**
 * Hashing a large file's bytes is the biggest single cost of a commit on the
 * event loop (sha256 of 14 MB: ~10 ms with SHA-NI), so a file from this size
 * up is hashed by a worker thread, from the temp file it was just written to
 * (in the page cache), while the event loop serves clients. Smaller files are
 * hashed as they are encoded: a worker's own heap would cost more memory than
 * the hash costs time. The same thread writes such a file when its unchanged
 * tasks are copied from the file in place (see {@link writeFileOffThread}).
 */
export const HASH_OFF_THREAD_FROM = 4 * 1024 * 1024;

/** The file thread's nice value on Linux (see the worker's source). */
export const HASH_THREAD_NICE = 10;

/**
 * The worker: hashes `length` bytes of `fd` (shared with this thread) read
 * through one block; or writes a file from `pieces`, bytes sent along or
 * ranges of the file `from`, copied through the same block, then (given
 * `check`) hashes `from` whole to prove it held the bytes expected.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { readSync, writeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const block = Buffer.allocUnsafeSlow(1024 * 1024);
// Background work: on Linux, where nice is per thread, this thread only yields to the event loop
// serving clients and to other processes (lone updates at 10k tasks reached clients ~3% sooner;
// durable updates/s unchanged). Elsewhere it would renice the whole process, so it is left as is.
if (process.platform === 'linux') {
  try {
    require('node:os').setPriority(0, ${HASH_THREAD_NICE});
  } catch {}
}
function writeFully(fd, bytes, at) {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, at + done);
}
function hashOf(fd, length) {
  const hash = createHash('sha256');
  for (let at = 0; at < length; ) {
    const read = readSync(fd, block, 0, Math.min(block.length, length - at), at);
    if (read === 0) throw new Error('the file ended at byte ' + at + ' of ' + length);
    hash.update(block.subarray(0, read));
    at += read;
  }
  return hash.digest('hex');
}
function write({ fd, from, pieces }) {
  let at = 0;
  for (const piece of pieces) {
    if (piece.bytes) {
      writeFully(fd, piece.bytes, at);
      at += piece.bytes.length;
      continue;
    }
    for (let copied = 0; copied < piece.length; ) {
      const read = readSync(from, block, 0, Math.min(block.length, piece.length - copied), piece.offset + copied);
      if (read === 0) throw new Error('the source file ended at byte ' + (piece.offset + copied));
      writeFully(fd, block.subarray(0, read), at);
      copied += read;
      at += read;
    }
  }
}
parentPort.on('message', ({ id, kind, fd, length, from, pieces, check }) => {
  try {
    if (kind === 'hash') return parentPort.postMessage({ id, hash: hashOf(fd, length) });
    write({ fd, from, pieces });
    // After the copy, so that any change to the source before its end shows: its bytes are still those written.
    if (check && !holds(from, check)) parentPort.postMessage({ id, stale: true });
    else parentPort.postMessage({ id, hash: '' });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
});
function holds(fd, { bytes, hash }) {
  try {
    return hashOf(fd, bytes) === hash && readSync(fd, block, 0, 1, bytes) === 0;
  } catch {
    return false; // shorter than it was
  }
}
`;

interface Reply {
  id: number;
  hash?: string;
  error?: string;
  /** The source of a write no longer held the bytes expected. */
  stale?: boolean;
}

/**
 * The thread ends once it has had nothing to do for this long, and the next
 * large write starts another before its bytes are written (clients have been
 * told of the change by then). A thread has a heap of its own that a server
 * between bursts of writes has no use for: RssAnon at 10k tasks went from
 * 0.88× to 0.81× the Yjs peer's without it (commit.bench).
 */
export const FILE_THREAD_IDLE_MS = 1000;

let worker: Worker | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (hash: string) => void; reject: (err: Error) => void }>();

function fileThread(): Worker {
  if (worker) return worker;
  const started = new Worker(WORKER_SOURCE, { eval: true });
  // Keeps the process alive only while a hash is pending (a one-shot CLI write awaits it).
  started.unref();
  started.on('message', (reply: Reply) => {
    const job = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (waiting.size === 0) {
      started.unref();
      idleTimer = setTimeout(() => {
        if (worker === started && waiting.size === 0) {
          worker = undefined;
          // Its exit must not fail the jobs of the thread started after it.
          started.removeAllListeners('exit').removeAllListeners('error').on('error', () => undefined);
          void started.terminate();
        }
      }, FILE_THREAD_IDLE_MS).unref();
    }
    if (reply.hash !== undefined) job?.resolve(reply.hash);
    else job?.reject(reply.stale ? new SourceChangedError() : new Error(`the file thread failed: ${reply.error}`));
  });
  const fail = (err: Error) => {
    if (worker === started) worker = undefined;
    for (const job of waiting.values()) job.reject(err);
    waiting.clear();
  };
  started.on('error', fail);
  started.on('exit', (code) => fail(new Error(`the file thread exited (${code})`)));
  worker = started;
  return started;
}

/**
 * sha256 hex of the first `length` bytes of the open file `fd`, read and
 * hashed off the event loop. `fd` must stay open until this settles. If the
 * thread fails, the hash (and so the write) fails with it; the next call
 * starts a new thread.
 */
export function hashFileOffThread(fd: number, length: number): Promise<string> {
  return run({ kind: 'hash', fd, length });
}

/** Bytes to write, or a range of the source file to copy (see {@link writeFileOffThread}). */
export type WritePiece = { bytes: Uint8Array } | FileRange;

/**
 * Writes `pieces` in order from the start of the open file `fd`: bytes as
 * given (their buffers are handed over to the thread: unusable here after),
 * ranges copied from the open file `from`. On the thread in one loop, as the
 * event loop would take a turn for each block: under load that turn cost
 * more than the copying. Both files must stay open until this settles.
 * With `check`, `from` is then hashed whole: {@link SourceChangedError}
 * unless it still holds exactly `bytes` bytes of sha256 `hash`.
 */
export async function writeFileOffThread(fd: number, from: number, pieces: readonly WritePiece[], check?: { hash: string; bytes: number }): Promise<void> {
  const transfer = pieces.flatMap((p) => ('bytes' in p ? [p.bytes.buffer as ArrayBuffer] : []));
  await run({ kind: 'write', fd, from, pieces, check }, transfer);
}

function run(job: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<string> {
  clearTimeout(idleTimer);
  const thread = fileThread();
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    if (waiting.size === 0) thread.ref();
    waiting.set(id, { resolve, reject });
    thread.postMessage({ id, ...job }, transfer);
  });
}
