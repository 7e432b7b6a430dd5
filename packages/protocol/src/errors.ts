/**
 * Error codes: the spec's 1001–1007 and JSON-RPC 2.0's reserved codes.
 * Every error a user or program sees carries one of these.
 */
export const ErrorCode = {
  ConnectionFailed: 1001,
  AuthenticationFailed: 1002,
  InvalidMessage: 1003,
  MethodNotFound: 1004,
  FileAccessDenied: 1005,
  SyncConflict: 1006,
  ServerShutdown: 1007,
  ParseError: -32700,
  InvalidRequest: -32600,
  JsonRpcMethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A short name for each code, for messages and logs. */
export const ERROR_NAMES: Record<ErrorCode, string> = {
  1001: 'connection failed',
  1002: 'authentication failed',
  1003: 'invalid message format',
  1004: 'method not found',
  1005: 'file access denied',
  1006: 'sync conflict',
  1007: 'server shutdown',
  [-32700]: 'parse error',
  [-32600]: 'invalid request',
  [-32601]: 'method not found',
  [-32602]: 'invalid params',
  [-32603]: 'internal error',
};

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
