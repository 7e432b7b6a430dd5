import { createHash } from 'node:crypto';
import { statSync, type BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import { ErrorCode, parseTasksFileTextByTag, TaskmasterError, type TagProblem, type TasksFile } from '@taskmaster/protocol';
import { fileError } from './errors.js';
import { identityOf, sameIdentity, type FileIdentity } from './file-identity.js';
import { withBlock } from './io-blocks.js';

/** A tasks file as read from disk. */
export interface LoadedTasksFile {
  /** Validated; frozen when it came from `known`. */
  data: TasksFile;
  /** sha256 hex of the bytes read. */
  hash: string;
  bytes: number;
  exists: boolean;
  /** Whether the file ends with a newline, which a rewrite keeps. */
  trailingNewline: boolean;
  /** The bytes, when they were read now (not when `known` matched or the file is missing). */
  raw?: Buffer;
  /** The read file's identity, to tell later without reading it that the path still holds these bytes. */
  identity?: FileIdentity;
  /** Tags that did not validate, kept in `data` as they are (see protocol's parseTasksFileTextByTag). */
  brokenTags?: TagProblem[];
}

/** Content already read or written and validated: its hash, size and parsed (frozen) data. */
export interface KnownTasksFile {
  hash: string;
  bytes: number;
  trailingNewline: boolean;
  data: TasksFile;
  /** Its tags that did not validate. */
  brokenTags?: TagProblem[];
  /** The identity of the file that held these bytes, when known: a file still showing it is not read at all. */
  identity?: FileIdentity;
}

/** Default ceiling on the size of tasks.json: bigger files are refused, never rewritten. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export interface LoadOptions {
  /** Name used in messages (`tasks.json`, or a snapshot id). */
  name: string;
  maxBytes: number;
  /**
   * Content already validated (e.g. what we just wrote): when the file still
   * has these bytes (same hash, checked through a small block) its parsed
   * data is reused, skipping decoding, parsing and validation.
   */
  known?: KnownTasksFile;
  /** What to return when the file does not exist; throws 1005 when omitted. */
  whenMissing?: () => TasksFile;
  /** Step of the file system's timestamps (see file-identity.ts); 0 when any later change shows. */
  granularityNs: bigint;
}

/** sha256 hex of `bytes`. */
export function sha256(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads, parses and validates a tasks file. Errors: -32700 with line and
 * column for bad JSON, -32602 naming the path for a wrong shape, 1005 for a
 * file that cannot be read or is over `maxBytes`.
 */
export async function loadTasksFile(file: string, options: LoadOptions): Promise<LoadedTasksFile> {
  const known = options.known;
  const identity = known && (await stillHolds(file, known, options));
  if (known && identity) {
    return { data: known.data, hash: known.hash, bytes: known.bytes, trailingNewline: known.trailingNewline, exists: true, identity, brokenTags: known.brokenTags };
  }
  const read = await readLimited(file, options);
  if (read === undefined) {
    if (!options.whenMissing) {
      throw new TaskmasterError(ErrorCode.FileAccessDenied, `${options.name} does not exist`, { file: options.name });
    }
    return { data: options.whenMissing(), hash: sha256(''), bytes: 0, exists: false, trailingNewline: false };
  }
  const { bytes } = read;
  // Tag by tag: one invalid task makes its tag unusable, not the whole file.
  const { data, brokenTags } = parseTasksFileTextByTag(bytes.toString('utf8'), options.name);
  const trailingNewline = bytes[bytes.length - 1] === 0x0a;
  const loaded: LoadedTasksFile = { data, raw: bytes, hash: sha256(bytes), bytes: bytes.length, exists: true, trailingNewline, brokenTags };
  if (read.identity) loaded.identity = read.identity;
  return loaded;
}

function statOrUndefined(file: string): BigIntStats | undefined {
  try {
    return statSync(file, { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/**
 * The file's identity if it still holds `known`'s bytes, else undefined. An
 * identity seen before, and not racy, proves it without reading (one stat, at
 * any size); otherwise the bytes are hashed through a small block.
 */
async function stillHolds(file: string, known: KnownTasksFile, options: LoadOptions): Promise<FileIdentity | undefined> {
  // The common case in one synchronous stat: a commit asks this holding Task Master's lock, where
  // each asynchronous call would wait its turn in a busy event loop. Anything else takes the path below.
  if (known.identity && !known.identity.racy) {
    const st = statOrUndefined(file);
    if (st && sameIdentity(known.identity, st)) return known.identity;
  }
  const handle = await openToRead(file, options);
  if (!handle) return undefined;
  try {
    const before = await handle.stat({ bigint: true });
    if (known.identity && !known.identity.racy && sameIdentity(known.identity, before)) return known.identity;
    const size = Number(before.size);
    if (size !== known.bytes) return undefined;
    const same = await withBlock(async (block) => {
      const hash = createHash('sha256');
      let at = 0;
      for (;;) {
        // One byte more than is left, so that a file grown since the stat shows.
        const want = Math.min(block.length, size - at + 1);
        const { bytesRead } = await handle.read(block, 0, want, at);
        if (bytesRead === 0) break;
        // Grew while we read (an in-place writer): not the known bytes.
        if (at + bytesRead > size) return false;
        hash.update(block.subarray(0, bytesRead));
        at += bytesRead;
      }
      return at === size && hash.digest('hex') === known.hash;
    });
    if (!same) return undefined;
    // Changed while it was hashed: these bytes were seen, but the identity cannot vouch for them.
    const after = await handle.stat({ bigint: true });
    const identity = identityOf(before, options.granularityNs);
    return sameIdentity(identity, after) ? identity : { ...identity, racy: true };
  } catch (err) {
    throw fileError(err, 'read', options.name);
  } finally {
    await handle.close();
  }
}

async function readLimited(file: string, options: LoadOptions): Promise<{ bytes: Buffer; identity?: FileIdentity } | undefined> {
  const handle = await openToRead(file, options);
  if (!handle) return undefined;
  try {
    // Reads of the known size: FileHandle.readFile's chunked loop is several times slower.
    for (;;) {
      const before = await handle.stat({ bigint: true });
      const size = Number(before.size);
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
      if (bytesRead !== 0) continue;
      // Unchanged from before the read to after it: its identity vouches for these bytes.
      const identity = identityOf(before, options.granularityNs);
      return sameIdentity(identity, await handle.stat({ bigint: true })) ? { bytes, identity } : { bytes };
    }
  } catch (err) {
    throw fileError(err, 'read', options.name);
  } finally {
    await handle.close();
  }
}

/** `file` opened to read; undefined when there is none, any other failure as the store's read error. */
async function openToRead(file: string, options: LoadOptions): Promise<fs.FileHandle | undefined> {
  try {
    return await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(err, 'read', options.name);
  }
}

function tooBig(name: string, size: number, max: number): TaskmasterError {
  return new TaskmasterError(
    ErrorCode.FileAccessDenied,
    `${name} is ${formatBytes(size)}, over the ${formatBytes(max)} limit; it was not read or changed (raise StoreOptions.maxBytes to allow it)`,
    { file: name, bytes: size, maxBytes: max },
  );
}

/** A size for messages: `80.0 MB`, or `512.0 KB` below a megabyte. */
export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} KB`;
}

