import fs from 'node:fs/promises';
import path from 'node:path';

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

/**
 * Appends JSON lines `{ts, op, actor, ids, tag, ms, ok, code}`. Only those
 * fields are written, whatever the caller passes, so task contents cannot
 * leak into the log. Failures are swallowed: logging never fails an operation.
 */
export class SyncLog {
  constructor(
    private readonly file: string,
    private readonly rotation: LogRotation,
  ) {}

  async append(entry: SyncLogEntry, now = new Date()): Promise<void> {
    try {
      const line = `${JSON.stringify(toLine(entry, now))}\n`;
      await this.rotateIfFull(Buffer.byteLength(line));
      await fs.appendFile(this.file, line, { mode: 0o600 }).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
        await fs.mkdir(path.dirname(this.file), { recursive: true });
        await fs.appendFile(this.file, line, { mode: 0o600 });
      });
    } catch {
      // Logging must never fail the operation it records.
    }
  }

  private async rotateIfFull(incoming: number): Promise<void> {
    let size: number;
    try {
      size = (await fs.stat(this.file)).size;
    } catch {
      return;
    }
    if (size === 0 || size + incoming <= this.rotation.maxBytes) return;
    const { keep } = this.rotation;
    if (keep === 0) {
      await fs.rm(this.file, { force: true });
      return;
    }
    await fs.rm(`${this.file}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      await fs.rename(`${this.file}.${i}`, `${this.file}.${i + 1}`).catch(() => undefined);
    }
    await fs.rename(this.file, `${this.file}.1`).catch(() => undefined);
  }
}

function toLine(entry: SyncLogEntry, now: Date): Record<string, unknown> {
  const ids = Array.isArray(entry.ids) ? entry.ids.slice(0, MAX_IDS).map((id) => String(id).slice(0, 32)) : undefined;
  return {
    ts: now.toISOString(),
    op: String(entry.op).slice(0, 64),
    actor: typeof entry.actor === 'string' ? entry.actor.slice(0, 64) : undefined,
    ids,
    tag: typeof entry.tag === 'string' ? entry.tag.slice(0, 128) : undefined,
    ms: typeof entry.ms === 'number' ? Math.round(entry.ms * 10) / 10 : undefined,
    ok: typeof entry.ok === 'boolean' ? entry.ok : undefined,
    code: typeof entry.code === 'number' ? entry.code : undefined,
  };
}
