/**
 * Error codes: the spec's 1001–1007, 1008 for a task or tag that does not
 * exist, and JSON-RPC 2.0's reserved codes. Every error a user or program
 * sees carries one of these.
 */
export const ErrorCode = {
  ConnectionFailed: 1001,
  AuthenticationFailed: 1002,
  InvalidMessage: 1003,
  MethodNotFound: 1004,
  /** A file that cannot be read or written: locked, its mode, a full disk, a link. The message says which and what to do; clients add no fix of their own. */
  FileAccessDenied: 1005,
  SyncConflict: 1006,
  ServerShutdown: 1007,
  NotFound: 1008,
  ParseError: -32700,
  InvalidRequest: -32600,
  JsonRpcMethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The process exit codes of the `taskmaster` CLI. Scripts branch on these, so
 * they never change meaning.
 */
export const ExitCode = {
  Ok: 0,
  /** Bad arguments, unknown task or tag, invalid input, port in use. */
  UserError: 1,
  /** A sync conflict (1006). */
  Conflict: 2,
  /** No sync server running, or it cannot be reached. */
  ServerUnreachable: 3,
  /** The tasks file is locked or cannot be read or written (1005). */
  FileAccess: 4,
  /** A bug: please report it. */
  Internal: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Every code's name, the HTTP status the HTTP API answers with, and the CLI's
 * exit code: one table, so programs can branch on the code wherever it arrives.
 */
export const ERROR_CODES: Record<ErrorCode, { name: string; http: number; exit: ExitCode }> = {
  1001: { name: 'connection failed', http: 503, exit: ExitCode.ServerUnreachable },
  1002: { name: 'authentication failed', http: 401, exit: ExitCode.ServerUnreachable },
  1003: { name: 'invalid message format', http: 400, exit: ExitCode.UserError },
  1004: { name: 'method not found', http: 404, exit: ExitCode.UserError },
  1005: { name: 'file access denied', http: 403, exit: ExitCode.FileAccess },
  1006: { name: 'sync conflict', http: 409, exit: ExitCode.Conflict },
  1007: { name: 'server shutdown', http: 503, exit: ExitCode.ServerUnreachable },
  1008: { name: 'not found', http: 404, exit: ExitCode.UserError },
  [-32700]: { name: 'parse error', http: 400, exit: ExitCode.UserError },
  [-32600]: { name: 'invalid request', http: 400, exit: ExitCode.UserError },
  [-32601]: { name: 'method not found', http: 404, exit: ExitCode.UserError },
  [-32602]: { name: 'invalid params', http: 400, exit: ExitCode.UserError },
  [-32603]: { name: 'internal error', http: 500, exit: ExitCode.Internal },
};

/** A short name for each code, for messages and logs. */
export const ERROR_NAMES = Object.fromEntries(Object.entries(ERROR_CODES).map(([code, row]) => [code, row.name])) as Record<ErrorCode, string>;

/** The table's row for `code`; an unknown code (from an older or newer peer) counts as an internal error. */
export function errorCodeRow(code: number): { name: string; http: number; exit: ExitCode } {
  return ERROR_CODES[code as ErrorCode] ?? ERROR_CODES[ErrorCode.InternalError];
}

/** The data of a 1006 conflict: the three versions and the fields both sides changed. */
export interface ConflictData<T = unknown> {
  conflictId?: string;
  tag: string;
  id: string;
  base: T | null;
  mine: T;
  theirs: T | null;
  fields: string[];
}

/** The wire form of an error (the spec's `SyncError`, also JSON-RPC's error object). */
export interface SyncErrorShape {
  code: number;
  message: string;
  data?: unknown;
}

/** An error with a protocol code, a message a user can act on, and data for programs. */
export class TaskmasterError extends Error {
  override readonly name = 'TaskmasterError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }

  /** The wire form. */
  toJSON(): SyncErrorShape {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }

  /** Rebuilds an error received over the wire. */
  static fromShape(shape: SyncErrorShape): TaskmasterError {
    return new TaskmasterError(shape.code as ErrorCode, shape.message, shape.data);
  }
}

/** True when `err` is a TaskmasterError with the given code (or any code). */
export function isTaskmasterError(err: unknown, code?: ErrorCode): err is TaskmasterError {
  return err instanceof TaskmasterError && (code === undefined || err.code === code);
}

/** 1008 for a tag that does not exist, listing those that do. */
export function tagNotFoundError(tag: string, existing: string[]): TaskmasterError {
  const list = existing.length > 0 ? `; tags: ${existing.join(', ')}` : '';
  return new TaskmasterError(ErrorCode.NotFound, `tag "${tag}" does not exist${list}`, { tag, tags: existing });
}

/** 1008 for a task or subtask id not found in a tag. */
export function taskNotFoundError(tag: string, id: string): TaskmasterError {
  return new TaskmasterError(ErrorCode.NotFound, `task ${id} not found in tag "${tag}"`, { tag, id });
}
