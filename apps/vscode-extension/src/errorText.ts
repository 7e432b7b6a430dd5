import { ERROR_NAMES, ErrorCode, isTaskmasterError, type ErrorCode as Code } from '@taskmaster/protocol';

/**
 * What to do about each code whose message does not say. A 1005 (file access
 * denied) always does, and has too many causes for one fix: a lock to wait
 * for, a mode to change, a full disk.
 */
const FIXES: Partial<Record<Code, string>> = {
  [ErrorCode.ConnectionFailed]: 'Start the server with "TaskMaster: Start Server" or check taskmaster.host/port.',
  [ErrorCode.AuthenticationFailed]: 'Set taskmaster.token, or leave it empty to use .taskmaster/config/connection.json.',
  [ErrorCode.SyncConflict]: 'Refresh the tree and try again.',
  [ErrorCode.ServerShutdown]: 'The server stopped; start it again with "TaskMaster: Start Server".',
  [ErrorCode.InvalidParams]: 'Check the value you entered.',
};

/** The text of an error notification: what failed, the error's name and code, its message and a fix; never task contents or tokens. */
export function errorText(action: string, err: unknown): string {
  if (isTaskmasterError(err)) {
    const name = ERROR_NAMES[err.code] ?? 'error';
    const fix = FIXES[err.code];
    return `TaskMaster: could not ${action} — ${name} (${err.code}): ${err.message}${fix ? ` ${fix}` : ''}`;
  }
  return `TaskMaster: could not ${action} — ${err instanceof Error ? err.message : String(err)}`;
}
