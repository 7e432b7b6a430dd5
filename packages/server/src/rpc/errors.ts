import { ErrorCode, invalidMethodParams, isTaskmasterError, issuesOf, type SyncError } from '@taskmaster/protocol';

/** -32602 for params a method's schema refused (the protocol's one wording). */
export const invalidParams = invalidMethodParams;

/** The wire form of any thrown value; unknown errors become -32603 without internals. */
export function toSyncError(err: unknown): SyncError {
  if (isTaskmasterError(err)) return err.toJSON();
  const issues = issuesOf(err);
  if (issues) return invalidParams('request', issues).toJSON();
  return { code: ErrorCode.InternalError, message: 'internal error; see the server log' };
}
