import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ensureRealDirectory, openForAppendNoFollow, removeFile } from './safe-fs.js';

/** One line of `logs/sync.log`: what happened, never task text or tokens. */
export interface SyncLogEntry {
  op: string;
  actor?: string;
  ids?: string[];
  tag?: string;
  ms?: number;
  ok?: boolean;
  code?: number;
}

/** Size-based rotation: `sync.log` → `sync.log.1` → … → `sync.log.<keep>`. */
export interface LogRotation {
  maxBytes: number;
  keep: number;
}

const MAX_IDS = 50;
/** Task ids as Task Master makes them: `5`, `5.2`. */
const SAFE_ID = /^\d{1,12}(\.\d{1,12}){0,4}$/;
const SAFE_TAG = /^[A-Za-z0-9._-]{1,64}$/;
/** Operation and actor names come from our code (`task.update x3`, `cli`): no shell metacharacters. */
const SAFE_NAME = /^[A-Za-z0-9._:@+ -]{1,64}$/;

/**
 * Appends JSON lines `{ts, op, actor, ids, tag, ms, ok, code}`. Only those
 * fields are written, whatever the caller passes, so task contents cannot
 * leak into the log; ids and tags that are not plain (`5.2`, `feature-x`)
 * become a short hash, so no string from tasks.json that a shell could run
 * ever lands in a line. Never appends through a symbolic link (a cloned
 * project's `sync.log -> ~/.bashrc`): then nothing is written. Failures are
 * swallowed: logging never fails an operation.
 */
export class SyncLog {
  constructor(
    private readonly file: string,
    private readonly rotation: LogRotation,
  ) {}

  async append(entry: SyncLogEntry, now = new Date()): Promise<void> {
    try {
      const line = `${JSON.stringify(toLine(entry, now))}\n`;
      await ensureRealDirectory(path.dirname(this.file), { create: true });
      await this.rotateIfFull(Buffer.byteLength(line));
      const handle = await openForAppendNoFollow(this.file, 0o600);
      try {
        await handle.appendFile(line);
      } finally {
        await handle.close();
      }
    } catch {
      // Logging must never fail the operation it records.
    }
  }

  private async rotateIfFull(incoming: number): Promise<void> {
    let size: number;
    try {
      const st = await fs.lstat(this.file);
      // A link (or anything else) is never rotated: the append below refuses it too.
      if (!st.isFile()) return;
      size = st.size;
    } catch {
      return;
    }
    if (size === 0 || size + incoming <= this.rotation.maxBytes) return;
    const { keep } = this.rotation;
    if (keep === 0) {
      await removeFile(this.file);
      return;
    }
    // unlink and rename act on links themselves, never on what they point to.
    await removeFile(`${this.file}.${keep}`);
    for (let i = keep - 1; i >= 1; i--) {
      await fs.rename(`${this.file}.${i}`, `${this.file}.${i + 1}`).catch(() => undefined);
    }
    await fs.rename(this.file, `${this.file}.1`).catch(() => undefined);
  }
}

/** `value` if it matches `pattern`, else `#` and 12 hex digits of its sha256: still tells lines apart. */
function safeOrHash(value: string, pattern: RegExp): string {
  return pattern.test(value) ? value : `#${createHash('sha256').update(value).digest('hex').slice(0, 12)}`;
}

/** What a change was — operation, actor, task ids, tag — with every value plain, as {@link SyncLog} writes it. */
export interface PlainChangeFields {
  op: string;
  actor?: string;
  ids?: string[];
  tag?: string;
}

/**
 * The operation, actor, ids and tag of `entry` made plain as in the log:
 * names and ids that are not plain (`task.update`, `cli`, `5.2`, `feature-x`)
 * become `#` and 12 hex digits of their sha256, and at most 50 ids are kept.
 * For anything that shows these fields (snapshots' descriptions too), so
 * no string from tasks.json — or from a planted file — reaches a terminal.
 */
export function plainChangeFields(entry: { op?: unknown; actor?: unknown; ids?: unknown; tag?: unknown }): PlainChangeFields {
  const ids = Array.isArray(entry.ids) ? entry.ids.slice(0, MAX_IDS).map((id) => safeOrHash(String(id), SAFE_ID)) : undefined;
  return {
    op: safeOrHash(String(entry.op), SAFE_NAME),
    actor: typeof entry.actor === 'string' ? safeOrHash(entry.actor, SAFE_NAME) : undefined,
    ids,
    tag: typeof entry.tag === 'string' ? safeOrHash(entry.tag, SAFE_TAG) : undefined,
  };
}

function toLine(entry: SyncLogEntry, now: Date): Record<string, unknown> {
  const { op, actor, ids, tag } = plainChangeFields(entry);
  return {
    ts: now.toISOString(),
    op,
    actor,
    ids,
    tag,
    ms: typeof entry.ms === 'number' ? Math.round(entry.ms * 10) / 10 : undefined,
    ok: typeof entry.ok === 'boolean' ? entry.ok : undefined,
    code: typeof entry.code === 'number' ? entry.code : undefined,
  };
}
