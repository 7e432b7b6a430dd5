import * as vscode from 'vscode';
import { ERROR_NAMES, ErrorCode, isTaskmasterError, type ErrorCode as Code } from '@taskmaster/protocol';

/** What to do about each code, when the message itself does not say. */
const FIXES: Partial<Record<Code, string>> = {
  [ErrorCode.ConnectionFailed]: 'Start the server with "TaskMaster: Start Server" or check taskmaster.host/port.',
  [ErrorCode.AuthenticationFailed]: 'Set taskmaster.token, or leave it empty to use .taskmaster/config/connection.json.',
  [ErrorCode.FileAccessDenied]: 'Check the permissions of .taskmaster/tasks/tasks.json.',
  [ErrorCode.SyncConflict]: 'Refresh the tree and try again.',
  [ErrorCode.ServerShutdown]: 'The server stopped; start it again with "TaskMaster: Start Server".',
  [ErrorCode.InvalidParams]: 'Check the value you entered.',
};

/** A notification naming the error code and a fix; never includes task contents or tokens. */
export function showError(action: string, err: unknown): void {
  if (isTaskmasterError(err)) {
    const name = ERROR_NAMES[err.code] ?? 'error';
    const fix = FIXES[err.code];
    void vscode.window.showErrorMessage(`TaskMaster: could not ${action} — ${name} (${err.code}): ${err.message}${fix ? ` ${fix}` : ''}`);
    return;
  }
  void vscode.window.showErrorMessage(`TaskMaster: could not ${action} — ${err instanceof Error ? err.message : String(err)}`);
}
