import { readFile, unlink } from 'node:fs/promises';
import type { ConnectionFile } from '@taskmaster/protocol';
import { replaceFileNoFollow } from '@taskmaster/store';
import type { ServerLog } from './options.js';

/**
 * Keeps `.taskmaster/config/connection.json` current so clients find the
 * server (and its token) instead of guessing. Owner-only (0600), written via
 * temp file + rename, coalesced to at most one write per interval. Never
 * written through a symbolic link (a cloned project's `config -> elsewhere`
 * or `connection.json -> ~/.profile`): the token would land there.
 */
export class ConnectionFileWriter {
  private timer: NodeJS.Timeout | undefined;
  private lastWrite = -Infinity;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => ConnectionFile,
    private readonly log: ServerLog,
    private readonly intervalMs = 500,
  ) {}

  /** Writes now (at start-up). */
  write(): Promise<void> {
    this.chain = this.chain.then(() => this.writeOnce());
    return this.chain;
  }

  /** Asks for a write soon, coalescing bursts of connects and disconnects. */
  schedule(): void {
    if (this.stopped || this.timer) return;
    const wait = Math.max(0, this.lastWrite + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, wait);
    this.timer.unref();
  }

  /** Stops writing and removes the file if it is still ours (same pid and epoch). */
  async remove(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain;
    const mine = this.snapshot();
    try {
      const onDisk = JSON.parse(await readFile(this.file, 'utf8')) as Partial<ConnectionFile>;
      if (onDisk.pid === mine.pid && onDisk.epoch === mine.epoch) await unlink(this.file);
    } catch {
      // Gone or unreadable: nothing of ours to remove.
    }
  }

  private async writeOnce(): Promise<void> {
    if (this.stopped) return;
    this.lastWrite = Date.now();
    try {
      // A real config/ folder, an exclusive no-follow temp file at exactly 0600, renamed over any link.
      await replaceFileNoFollow(this.file, `${JSON.stringify(this.snapshot(), null, 2)}\n`, 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ELOOP' ? 'its folder is a symbolic link, which is never followed' : err instanceof Error ? err.message : 'unknown';
      this.log('warn', 'could not write connection.json', { error: why });
    }
  }
}
