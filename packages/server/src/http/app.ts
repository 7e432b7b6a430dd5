import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { ErrorCode } from '@taskmaster/protocol';
import { checkAccess } from '../security.js';
import type { HttpDeps } from './context.js';
import { sendError } from './errors.js';
import { addVary, gzipLargeBodies } from './gzip.js';
import { boardRoutes } from './routes/board.js';
import { rpcRoutes } from './routes/rpc.js';
import { syncRoutes } from './routes/sync.js';
import { tasksRoutes } from './routes/tasks.js';

/**
 * Fastify's own JSON Schema compilers, left out: every body is checked with
 * the protocol's zod schemas, and no route declares a JSON Schema. Without
 * these factories, building the app loads ajv, its formats and
 * fast-json-stringify (about 110 modules), which held 1.4 MB of heap for the life
 * of the process.
 */
const noJsonSchemas = {
  buildValidator: () => () => {
    throw new Error('routes validate with the protocol\'s zod schemas; a JSON Schema on a route is not supported');
  },
  buildSerializer: () => () => {
    throw new Error('replies are serialised by the routes; a response JSON Schema on a route is not supported');
  },
};

/**
 * The HTTP fallback: the same gate as the WebSocket (one access check),
 * CORS for allowed origins only, gzip, and one plugin per route group.
 */
export function buildHttpApp(deps: HttpDeps): FastifyInstance {
  const { options } = deps.engine;
  const serverOptions: FastifyServerOptions & { https?: unknown } = { logger: false, bodyLimit: options.maxPayloadBytes, schemaController: { compilersFactory: noJsonSchemas } };
  if (options.tls) serverOptions.https = { cert: options.tls.cert, key: options.tls.key };
  const app = Fastify(serverOptions) as unknown as FastifyInstance;

  app.addHook('onRequest', async (req, reply) => {
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    // The board's files and config hold no task data; the API always needs the token.
    const tokenFree = deps.board !== undefined && (req.method === 'GET' || req.method === 'HEAD') && !req.url.startsWith('/api/');
    const access = checkAccess(
      { origin: req.headers.origin, host: req.headers.host, authorization: req.headers.authorization, url: req.url, preflight, tokenFree },
      deps.policy,
    );
    if (!access.ok) {
      options.log('warn', 'refused an HTTP request', { status: access.status, code: access.code });
      return sendError(reply, { code: access.code, message: access.message }, access.status);
    }
    if (access.origin !== undefined) {
      // Reflect the one allowed origin; never "*".
      reply.header('access-control-allow-origin', access.origin);
      addVary(reply, 'Origin');
    }
    if (preflight) {
      return reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST, OPTIONS')
        .header('access-control-allow-headers', 'authorization, content-type, if-none-match')
        .header('access-control-expose-headers', 'etag')
        .header('access-control-max-age', '600')
        .send();
    }
    return undefined;
  });
  app.addHook('onSend', gzipLargeBodies);

  app.setErrorHandler((err: { statusCode?: number; message?: string; name?: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) options.log('error', 'HTTP request failed', { error: err.name ?? 'unknown' });
    const code = status === 500 ? ErrorCode.InternalError : ErrorCode.InvalidRequest;
    return sendError(reply, { code, message: status === 500 ? 'internal error; see the server log' : (err.message ?? 'bad request') }, status);
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, { code: ErrorCode.MethodNotFound, message: `no route ${req.method} ${req.url.split('?')[0]}; see the server README` }, 404),
  );

  void app.register(tasksRoutes, deps);
  void app.register(syncRoutes, deps);
  void app.register(rpcRoutes, deps);
  if (deps.board) void app.register(boardRoutes, { ...deps, board: deps.board });
  return app;
}
