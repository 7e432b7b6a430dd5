import { errorCodeRow, type SyncError } from '@taskmaster/protocol';
import type { FastifyReply } from 'fastify';

/** The HTTP status that goes with a protocol error: the protocol's code table decides. */
export function httpStatusFor(error: SyncError): number {
  return errorCodeRow(error.code).http;
}

/** Sends `{error: {code, message, data}}` with the matching status. */
export function sendError(reply: FastifyReply, error: SyncError, status = httpStatusFor(error)): FastifyReply {
  return reply.code(status).send({ error });
}
