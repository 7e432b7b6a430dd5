import {
  describeIssue,
  ErrorCode,
  formatIssuePath,
  issuesOf,
  TaskmasterError,
  isTaskmasterError,
  type IssueLike,
  type SyncError,
} from '@taskmaster/protocol';

/** -32602 with every zod issue summarised in the message and listed in `data.issues`. */
export function invalidParams(method: string, issues: readonly IssueLike[]): TaskmasterError {
  const list = issues.map((i) => ({ path: formatIssuePath(i.path), message: i.message, code: i.code }));
  const summary = issues.slice(0, 5).map(describeIssue).join('; ');
  return new TaskmasterError(ErrorCode.InvalidParams, `invalid params for "${method}": ${summary}`, { issues: list });
}

/** The wire form of any thrown value; unknown errors become -32603 without internals. */
export function toSyncError(err: unknown): SyncError {
  if (isTaskmasterError(err)) return err.toJSON();
  const issues = issuesOf(err);
  if (issues) return invalidParams('request', issues).toJSON();
  return { code: ErrorCode.InternalError, message: 'internal error; see the server log' };
}
