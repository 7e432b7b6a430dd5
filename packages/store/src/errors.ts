import { ErrorCode, TaskmasterError } from '@taskmaster/protocol';

/** An InvalidParams error with a message and optional data. */
export function invalidParams(message: string, data?: unknown): TaskmasterError {
  return new TaskmasterError(ErrorCode.InvalidParams, message, data);
}

const ACCESS_CODES = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * A TaskmasterError for a failed file-system call: 1005 when the system
 * refused access, 1005 too for other errno failures, naming the file and the
 * errno so the user knows what to fix. TaskmasterErrors pass through.
 */
export function fileError(err: unknown, action: string, file: string): TaskmasterError {
  if (err instanceof TaskmasterError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && ACCESS_CODES.has(code)) {
    const why = code === 'EROFS' ? 'the file system is read-only' : 'permission denied';
    return new TaskmasterError(ErrorCode.FileAccessDenied, `cannot ${action} ${file}: ${why} (${code})`, { file, errno: code });
  }
  const detail = code ?? (err instanceof Error ? err.message : String(err));
  return new TaskmasterError(ErrorCode.FileAccessDenied, `cannot ${action} ${file} (${detail})`, { file, errno: code });
}
