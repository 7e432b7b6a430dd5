import type { FastifyReply } from 'fastify';
import type { SyncEngine } from '../engine.js';
import type { Dispatcher } from '../rpc/dispatch.js';
import type { CallContext } from '../rpc/handlers.js';
import type { AccessPolicy } from '../security.js';
import { sendError } from './errors.js';

/** What the HTTP routes share. */
export interface HttpDeps {
  engine: SyncEngine;
  dispatcher: Dispatcher<CallContext>;
  policy: AccessPolicy;
  /** The board's folder and the WebSocket port its page connects to; absent: no board. */
  board?: { dir: string; wsPort: number };
}

/** A one-request caller: HTTP has no subscriptions and no remembered envelope. */
export function httpContext(): CallContext {
  return { peer: { clientId: 'http', client: undefined, transport: 'http', envelope: undefined, patterns: new Set() } };
}

/** Calls a method as the WebSocket would, answering its result or its error with a matching status. */
export async function callAndReply(
  deps: HttpDeps,
  reply: FastifyReply,
  method: string,
  params: unknown,
  successStatus = 200,
): Promise<FastifyReply> {
  const outcome = await deps.dispatcher.call(method, params, httpContext());
  if ('error' in outcome) return sendError(reply, outcome.error);
  return reply.code(successStatus).send(outcome.result);
}

/** The ETag of everything at the current revision. */
export function revisionTag(deps: HttpDeps): string {
  return `"${deps.engine.changeLog.epoch}:${deps.engine.revision}"`;
}

/** True when the client's `If-None-Match` already names `etag`. */
export function notModified(header: string | string[] | undefined, etag: string): boolean {
  if (!header) return false;
  const values = (Array.isArray(header) ? header.join(',') : header).split(',').map((v) => v.trim().replace(/^W\//, ''));
  return values.includes(etag) || values.includes('*');
}
