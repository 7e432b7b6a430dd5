import type { FastifyInstance } from 'fastify';
import { httpContext, type HttpDeps } from '../context.js';

/** `POST /api/rpc`: JSON-RPC 2.0 (single or batch) or SyncMessage over HTTP, for polling clients. */
export async function rpcRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  // Raw text in this scope, so malformed JSON gets JSON-RPC's -32700 instead of fastify's 400.
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/api/rpc', async (req, reply) => {
    const text = typeof req.body === 'string' ? req.body : '';
    const out = await deps.dispatcher.handleText(text, httpContext());
    if (out === undefined) return reply.code(204).send();
    return reply.code(200).type('application/json').send(out);
  });
}
