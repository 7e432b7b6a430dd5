import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

/**
 * Returns what closes `app`'s HTTP server, keeping no client waiting for a
 * reply and waiting for no client that is not owed one. Call it before the
 * server listens: it follows every request from the first.
 *
 * Fastify's close waits for every connection to end, and closes only those
 * idle at that moment. Two kinds of connection are not idle and would hold it:
 * - one whose reply was still being made then, which falls idle after and
 *   stays open for the client's keep-alive time, 72 s by fastify's default
 *   (fastify#7044): idle connections are closed every 50 ms meanwhile;
 * - one whose request is still arriving (a client stalled or gone after part
 *   of its headers or body), held until Node's request timeouts, 60 s for
 *   headers and 300 s for a body: once no request received whole waits for
 *   its reply, every connection is closed, those included.
 */
export function httpCloser(app: FastifyInstance): () => Promise<void> {
  /** Requests being answered or still arriving: each until its reply is sent or its connection ends. */
  const open = new Set<IncomingMessage>();
  app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    open.add(req);
    res.once('close', () => open.delete(req));
  });
  const repliesOwed = () => [...open].some((req) => req.complete);
  return async () => {
    const sweep = setInterval(() => (repliesOwed() ? app.server.closeIdleConnections() : app.server.closeAllConnections()), 50);
    try {
      await app.close();
    } finally {
      clearInterval(sweep);
    }
  };
}
