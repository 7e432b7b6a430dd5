import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, OverriddenNoticesFileSchema, TaskmasterError, withOverridden, type OverriddenNotice, type TasksFile } from '@taskmaster/protocol';
import { ensureRealDirectory, readFileNoFollow, removeFile, replaceFileNoFollow } from './safe-fs.js';

/**
 * Past this size the file is not read: the server keeps at most 100 notices,
 * and no real one comes near (a notice holds two values of a few fields).
 */
export const MAX_NOTICES_FILE_BYTES = 16 * 1024 * 1024;

/**
 * The overridden changes that still stood when the server last announced
 * one, kept in `tasks/history/overridden.json` (local to this machine, beside
 * the snapshots they name): a server started again still tells clients what
 * another program wrote over before the restart, until it is put back or the
 * task changes. Their revisions are the old server's; the new one numbers them again.
 */
export class OverriddenNotices {
  constructor(private readonly file: string) {}

  /**
   * The notices kept, oldest first; none when there is no file. A file that
   * is not what this class writes (too large, not JSON, not notices) throws
   * 1005 saying what is wrong, a symbolic link ELOOP: a server starts without it.
   */
  async read(): Promise<OverriddenNotice[]> {
    const unusable = (why: string) =>
      new TaskmasterError(ErrorCode.FileAccessDenied, `tasks/history/overridden.json (what the last sync server kept of changes written over) ${why}`);
    const st = await fs.lstat(this.file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!st) return [];
    if (st.size > MAX_NOTICES_FILE_BYTES) throw unusable(`is ${st.size} bytes, more than its notices can take (${MAX_NOTICES_FILE_BYTES})`);
    let parsed: unknown;
    try {
      parsed = JSON.parse((await readFileNoFollow(this.file)).toString('utf8'));
    } catch (err) {
      if (err instanceof SyntaxError) throw unusable(`is not JSON (${err.message})`);
      throw err;
    }
    const result = OverriddenNoticesFileSchema.safeParse(parsed);
    if (!result.success) throw unusable(`does not hold its notices: ${result.error.issues[0]?.message ?? 'invalid'}`);
    return result.data.notices;
  }

  /**
   * The notices kept that still stand in the tasks file `current` gives
   * (protocol's `withOverridden`: the latest per task), oldest first; the
   * file is read only when some are kept. Throws as {@link read}.
   */
  async standing(current: () => Promise<TasksFile>): Promise<OverriddenNotice[]> {
    const kept = await this.read();
    return kept.length === 0 ? [] : withOverridden([], kept, await current());
  }

  /** Replaces the kept notices with `notices` (none: the file goes). Never follows a symbolic link. */
  async write(notices: readonly OverriddenNotice[]): Promise<void> {
    if (notices.length === 0) return removeFile(this.file);
    await ensureRealDirectory(path.dirname(this.file), { create: true });
    await replaceFileNoFollow(this.file, `${JSON.stringify({ version: 1, notices })}\n`);
  }
}
