import { ErrorCode, TaskmasterError, isTaskmasterError, type SyncError } from '@taskmaster/protocol';

/** A zod-like issue, enough to summarise it without importing zod. */
interface Issue {
  path: PropertyKey[];
  message: string;
  code?: string;
}

/** -32602 with every zod issue summarised in the message and listed in `data.issues`. */
export function invalidParams(method: string, issues: readonly Issue[]): TaskmasterError {
  const list = issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message, code: i.code }));
  const summary = list
    .slice(0, 5)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join('; ');
  return new TaskmasterError(ErrorCode.InvalidParams, `invalid params for "${method}": ${summary}`, { issues: list });
}

/** The wire form of any thrown value; unknown errors become -32603 without internals. */
export function toSyncError(err: unknown): SyncError {
  if (isTaskmasterError(err)) return err.toJSON();
  const issues = (err as { issues?: unknown } | null)?.issues;
  if (Array.isArray(issues)) return invalidParams('request', issues as Issue[]).toJSON();
  return { code: ErrorCode.InternalError, message: 'internal error; see the server log' };
}
