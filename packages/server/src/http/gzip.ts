import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

const gzipAsync = promisify(gzip);

/** Bodies smaller than this are not worth compressing. */
const THRESHOLD = 1024;

/** An onSend hook: gzip responses over ~1 KB for clients that accept it. */
export async function gzipLargeBodies(req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
  if (reply.getHeader('content-encoding') !== undefined || Buffer.byteLength(payload) < THRESHOLD) return payload;
  addVary(reply, 'Accept-Encoding');
  if (!/\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''))) return payload;
  reply.header('content-encoding', 'gzip');
  reply.removeHeader('content-length');
  return gzipAsync(payload);
}

/** Adds `value` to the Vary header. */
export function addVary(reply: FastifyReply, value: string): void {
  const current = reply.getHeader('vary');
  reply.header('vary', current ? `${String(current)}, ${value}` : value);
}
