import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { ErrorCode, parseTasksFileText, TaskmasterError, type TasksFile } from '@taskmaster/protocol';
import { fileError } from './errors.js';

/** A tasks file as read from disk. */
export interface LoadedTasksFile {
  data: TasksFile;
  /** The exact text read ('' when the file does not exist yet). */
  text: string;
  /** The bytes read (empty when the file does not exist yet). */
  raw: Buffer;
  /** sha256 hex of the bytes read. */
  hash: string;
  bytes: number;
  exists: boolean;
  /** The read file's identity, to check later that the path still names these bytes. */
  stat?: FileIdentity;
}

/** Inode, size and mtime of a file as read. */
export interface FileIdentity {
  ino: number;
  size: number;
  mtimeMs: number;
}

/** Content already read or written and validated, with a parsed copy only its owner uses. */
export interface KnownTasksFile {
  raw: Buffer;
  text: string;
  hash: string;
  /** JSON.parse(text), if kept: saves parsing it again. */
  data?: TasksFile;
}

/** Default ceiling on the size of tasks.json: bigger files are refused, never rewritten. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export interface LoadOptions {
  /** Name used in messages (`tasks.json`, or a snapshot id). */
  name: string;
  maxBytes: number;
  /**
   * Content already validated (e.g. what we just wrote): when the file still
   * has these bytes (a memcmp, cheaper than hashing), its text, hash and parsed
   * data are reused, skipping decoding, hashing, parsing and validation.
   * The returned `data` is then `known.data` itself: the caller copies it.
   */
  known?: KnownTasksFile;
  /** What to return when the file does not exist; throws 1005 when omitted. */
  whenMissing?: () => TasksFile;
}

/** sha256 hex of `bytes`. */
export function sha256(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const utf8 = new TextEncoder();
/** Reused for files up to a few MB, so encoding touches no fresh memory. */
let scratch = Buffer.alloc(0);
const MAX_SCRATCH = 16 * 1024 * 1024;

/**
 * UTF-8 bytes of `text`. For text with any non-ASCII character, Buffer.from
 * and TextEncoder.encode measure the length in a pass as slow as encoding;
 * encodeInto a buffer of the worst-case size skips it (about 1.5x faster).
 */
export function encodeUtf8(text: string): Buffer {
  const worst = text.length * 3;
  if (worst > MAX_SCRATCH) return Buffer.from(text, 'utf8');
  if (scratch.length < worst) scratch = Buffer.allocUnsafeSlow(Math.max(worst, 64 * 1024));
  const { written } = utf8.encodeInto(text, scratch);
  return Buffer.from(scratch.subarray(0, written));
}

/** The text Task Master writes: 2-space JSON, key order kept, optional trailing newline. */
export function serializeTasksFile(data: TasksFile, trailingNewline: boolean): string {
  const text = JSON.stringify(data, null, 2);
  return trailingNewline ? `${text}\n` : text;
}

/**
 * Reads, parses and validates a tasks file. Errors: -32700 with line and
 * column for bad JSON, -32602 naming the path for a wrong shape, 1005 for a
 * file that cannot be read or is over `maxBytes`.
 */
export async function loadTasksFile(file: string, options: LoadOptions): Promise<LoadedTasksFile> {
  const read = await readLimited(file, options);
  if (read === undefined) {
    if (!options.whenMissing) {
      throw new TaskmasterError(ErrorCode.FileAccessDenied, `${options.name} does not exist`, { file: options.name });
    }
    return { data: options.whenMissing(), text: '', raw: Buffer.alloc(0), hash: sha256(''), bytes: 0, exists: false };
  }
  const { bytes, stat } = read;
  const known = options.known;
  if (known?.raw.equals(bytes)) {
    const data = known.data ?? parseTasksFileText(known.text, options.name, true);
    return { data, text: known.text, raw: known.raw, hash: known.hash, bytes: bytes.length, exists: true, stat };
  }
  const text = bytes.toString('utf8');
  const data = parseTasksFileText(text, options.name);
  return { data, text, raw: bytes, hash: sha256(bytes), bytes: bytes.length, exists: true, stat };
}

async function readLimited(file: string, options: LoadOptions): Promise<{ bytes: Buffer; stat?: FileIdentity } | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(err, 'read', options.name);
  }
  try {
    // Reads of the known size: FileHandle.readFile's chunked loop is several times slower.
    for (;;) {
      const { size, ino, mtimeMs } = await handle.stat();
      const stat = { ino, size, mtimeMs };
      if (size > options.maxBytes) throw tooBig(options.name, size, options.maxBytes);
      const bytes = Buffer.allocUnsafe(size);
      let filled = 0;
      while (filled < size) {
        const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      // Shrunk while we read: no identity, so nothing will trust the path to hold these bytes.
      if (filled < size) return { bytes: bytes.subarray(0, filled) };
      // An in-place writer may have grown the file since the stat: then read it again.
      const { bytesRead } = await handle.read(Buffer.alloc(1), 0, 1, size);
      if (bytesRead === 0) return { bytes, stat };
    }
  } catch (err) {
    throw fileError(err, 'read', options.name);
  } finally {
    await handle.close();
  }
}

function tooBig(name: string, size: number, max: number): TaskmasterError {
  return new TaskmasterError(
    ErrorCode.FileAccessDenied,
    `${name} is ${megabytes(size)}, over the ${megabytes(max)} limit; it was not read or changed (raise StoreOptions.maxBytes to allow it)`,
    { file: name, bytes: size, maxBytes: max },
  );
}

function megabytes(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

