import { ErrorCode, type SyncError } from '@taskmaster/protocol';
import type { FastifyReply } from 'fastify';

/** The HTTP status that goes with a protocol error. */
export function httpStatusFor(error: SyncError): number {
  if ((error.data as { reason?: unknown } | undefined)?.reason === 'not-found') return 404;
  // The store reports a missing task or tag as -32602 "… not found …" / "… does not exist".
  if (error.code === ErrorCode.InvalidParams && /\bnot found\b|\bdoes not exist\b/.test(error.message)) return 404;
  switch (error.code) {
    case ErrorCode.AuthenticationFailed:
      return 401;
    case ErrorCode.FileAccessDenied:
      return 403;
    case ErrorCode.MethodNotFound:
    case ErrorCode.JsonRpcMethodNotFound:
      return 404;
    case ErrorCode.SyncConflict:
      return 409;
    case ErrorCode.ConnectionFailed:
    case ErrorCode.ServerShutdown:
      return 503;
    case ErrorCode.ParseError:
    case ErrorCode.InvalidRequest:
    case ErrorCode.InvalidParams:
    case ErrorCode.InvalidMessage:
      return 400;
    default:
      return 500;
  }
}

/** Sends `{error: {code, message, data}}` with the matching status. */
export function sendError(reply: FastifyReply, error: SyncError, status = httpStatusFor(error)): FastifyReply {
  return reply.code(status).send({ error });
}
