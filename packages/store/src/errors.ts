import { ErrorCode, TaskmasterError } from '@taskmaster/protocol';

/** An InvalidParams error with a message and optional data. */
export function invalidParams(message: string, data?: unknown): TaskmasterError {
  return new TaskmasterError(ErrorCode.InvalidParams, message, data);
}

/**
 * What each errno means for the user, and what they can do about it. Every
 * 1005 says what to do in its own message: its causes are too many (a lock,
 * a mode, a full disk) for a client to add one fix for the code.
 */
const PERMISSION_DENIED = { why: 'permission denied', fix: 'check the owner and mode of the file and of its folder, then try again' };
const CAUSES: Record<string, { why: string; fix: string }> = {
  EACCES: PERMISSION_DENIED,
  EPERM: PERMISSION_DENIED,
  EROFS: { why: 'the file system is read-only', fix: 'remount it read-write (or move the project to a writable disk) and try again' },
  ENOSPC: { why: 'the disk is full', fix: 'free some space and try again' },
  EDQUOT: { why: 'the disk quota is used up', fix: 'free some space (or raise the quota) and try again' },
  EIO: { why: 'the disk reported an I/O error', fix: 'check the disk and system log (dmesg), then try again' },
  EFBIG: { why: 'the file is larger than the file system allows', fix: 'move the project to another disk' },
  ELOOP: { why: 'it is a symbolic link, which is never followed when writing under .taskmaster/', fix: 'replace the link with a real file or folder' },
  ENOTDIR: { why: 'a folder in its path is not a directory', fix: 'replace it with a folder' },
};

/**
 * A TaskmasterError (1005) for a failed file-system call, naming the file
 * (relative to the project), the cause in words with its errno, and what to
 * do: `cannot write tasks.json: the disk is full (ENOSPC); nothing was
 * written; free some space and try again`. TaskmasterErrors pass through.
 * `nothingWritten` adds that tasks.json was left as it was.
 */
export function fileError(err: unknown, action: string, file: string, nothingWritten = false): TaskmasterError {
  if (err instanceof TaskmasterError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const untouched = nothingWritten ? '; nothing was written' : '';
  const cause = code ? CAUSES[code] : undefined;
  if (cause) {
    const message = `cannot ${action} ${file}: ${cause.why} (${code})${untouched}; ${cause.fix}`;
    return new TaskmasterError(ErrorCode.FileAccessDenied, message, { file, errno: code });
  }
  const detail = code ?? (err instanceof Error ? err.message : String(err));
  return new TaskmasterError(ErrorCode.FileAccessDenied, `cannot ${action} ${file} (${detail})${untouched}; check the file and its folder, then try again`, { file, errno: code });
}

/**
 * A transaction refused because tasks.json no longer holds the version it was
 * meant for (`TransactOptions.expectHash`): nothing was written. A 1006
 * (sync conflict), so a caller that does not handle it reports a conflict.
 */
export class StaleVersionError extends TaskmasterError {
  constructor() {
    super(ErrorCode.SyncConflict, 'tasks.json changed since it was read; nothing was written, read it again and retry', { reason: 'stale-version' });
  }
}

/** The refusal of a write (or read) when a tasks.json this store has seen stays missing. */
export function missingTasksFileError(): TaskmasterError {
  return new TaskmasterError(
    ErrorCode.FileAccessDenied,
    `tasks.json is missing (it existed before and did not come back); nothing was written, so as not to replace your tasks with an empty file. ` +
      'Restore it — from git, or from a snapshot with `taskmaster history list` and `taskmaster history restore <snapshot>` — then try again',
    { file: 'tasks.json' },
  );
}
