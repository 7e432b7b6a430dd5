import { ErrorCode, type BoardConfig } from '@taskmaster/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { boardCsp, readBoardFile } from '../board-files.js';
import type { HttpDeps } from '../context.js';
import { sendError } from '../errors.js';

/** A Host header that may go into a header value (checkAccess has already allowed it). */
const PLAIN_HOST = /^[A-Za-z0-9.\-]+$|^\[[0-9A-Fa-f:.]+\]$/;

/**
 * `GET /board/config.json` and the board's files at `/`: registered only
 * when the server is handed a board folder. Both are token-free (see
 * `tokenFree` in security.ts); everything under `/api/` is not.
 */
export async function boardRoutes(app: FastifyInstance, deps: HttpDeps & { board: { dir: string; wsPort: number } }): Promise<void> {
  const { options } = deps.engine;
  const wsScheme = options.tls ? 'wss' : 'ws';

  app.get('/board/config.json', async (_req, reply) => {
    const config: BoardConfig = { wsPort: deps.board.wsPort, wsPath: options.path, wsScheme };
    return reply.header('cache-control', 'no-store').send(config);
  });

  app.get('/*', async (req, reply) => {
    const urlPath = req.url.split('?')[0]!;
    if (urlPath.startsWith('/api/')) return notFound(req, reply);
    const file = await readBoardFile(deps.board.dir, urlPath);
    if (!file) return notFound(req, reply);
    const host = hostnameOf(req.headers.host);
    if (host === undefined) return notFound(req, reply);
    return reply
      .header('content-type', file.contentType)
      .header('content-security-policy', boardCsp(`${wsScheme}://${host}:${deps.board.wsPort}`))
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .send(file.body);
  });
}

function notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, { code: ErrorCode.MethodNotFound, message: `no route ${req.method} ${req.url.split('?')[0]}; see the server README` }, 404);
}

/** `127.0.0.1:5174` → `127.0.0.1`; `[::1]:5174` → `[::1]`; undefined for anything unusual. */
function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return PLAIN_HOST.test(name) ? name : undefined;
}
