import { describeIssue, ErrorCode, events, isEventName, methods, TaskmasterError, type IssueLike } from '@taskmaster/protocol';

/**
 * What the server sends is checked against the protocol's tables before the
 * client acts on it, as the server checks what clients send: a result against
 * its method's result schema, an event against its payload schema. A replica
 * fed a malformed event would hold a copy that no longer matches the file,
 * and handlers would get values their types promise they cannot get.
 *
 * What passes is handed on as it came, not as zod outputs it: a loose
 * schema's output would put a task's declared keys before its others, and
 * the replica's copy would no longer read like the file. Methods and events
 * this client does not know (a newer server's) are passed on too: there is
 * no schema to hold them to.
 */

/** `result` when it matches the result schema of `method`; throws 1003 when it does not. */
export function checkedResult(method: string, result: unknown): unknown {
  if (!Object.prototype.hasOwnProperty.call(methods, method)) return result;
  const parsed = methods[method as keyof typeof methods].result.safeParse(result);
  if (parsed.success) return result;
  throw mismatch(`the server's result for ${method}`, parsed.error.issues);
}

/** The 1003 error saying why `payload` does not match the schema of `event`, or undefined when it does. */
export function eventMismatch(event: string, payload: unknown): TaskmasterError | undefined {
  if (!isEventName(event)) return undefined;
  const parsed = events[event].safeParse(payload);
  return parsed.success ? undefined : mismatch(`the server's ${event} event`, parsed.error.issues);
}

function mismatch(what: string, issues: readonly IssueLike[]): TaskmasterError {
  const first = issues[0];
  return new TaskmasterError(ErrorCode.InvalidMessage, `${what} does not match the protocol: ${first ? describeIssue(first) : 'invalid value'}`);
}
