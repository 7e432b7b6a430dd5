import { ErrorCode } from '@taskmaster/protocol';
import type { FastifyInstance } from 'fastify';
import { callAndReply, notModified, revisionTag, type HttpDeps } from '../context.js';
import { sendError } from '../errors.js';

/** `GET /api/tasks` (ETag/304) and `POST /api/tasks` (create or update). */
export async function tasksRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  app.get('/api/tasks', async (req, reply) => {
    const etag = revisionTag(deps);
    if (notModified(req.headers['if-none-match'], etag)) return reply.code(304).header('etag', etag).send();
    const q = req.query as Record<string, string | string[] | undefined>;
    const params: Record<string, unknown> = {};
    if (typeof q.tag === 'string' && q.tag) params.tag = q.tag;
    const status = q.status === undefined ? [] : (Array.isArray(q.status) ? q.status : [q.status]).flatMap((s) => s.split(',')).filter(Boolean);
    if (status.length > 0) params.status = status;
    if (q.withSubtasks === 'false') params.withSubtasks = false;
    reply.header('etag', etag).header('cache-control', 'no-cache');
    return callAndReply(deps, reply, 'tasks.list', params);
  });

  app.post('/api/tasks', async (req, reply) => {
    const body = req.body as Record<string, unknown> | null | undefined;
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      if ('task' in body) return callAndReply(deps, reply, 'task.create', body, 201);
      if ('id' in body) return callAndReply(deps, reply, 'task.update', body);
    }
    return sendError(reply, {
      code: ErrorCode.InvalidRequest,
      message: 'expected {tag?, task: {title, ...}} to create a task or {id, tag?, changes | fields} to update one',
    });
  });
}
