import { ErrorCode, TaskIdSchema, findTag, jsonEqual, findTask, type TaskId } from '@taskmaster/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { callAndReply, httpContext, notModified, revisionTag, type HttpDeps } from '../context.js';
import { sendError } from '../errors.js';

const TASK_EVENTS = ['task.created', 'task.updated', 'task.deleted', 'task.status.changed'] as const;
type TaskEvent = (typeof TASK_EVENTS)[number];

/** `GET /api/sync/status`, `GET /api/sync/changes`, `POST /api/sync/event`. */
export async function syncRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  app.get('/api/sync/status', async (_req, reply) => callAndReply(deps, reply, 'sync.status', undefined));

  app.get('/api/sync/changes', async (req, reply) => {
    const etag = revisionTag(deps);
    if (notModified(req.headers['if-none-match'], etag)) return reply.code(304).header('etag', etag).send();
    const q = req.query as Record<string, string | undefined>;
    const params: Record<string, unknown> = {};
    if (q.since !== undefined) params.since = /^\d+$/.test(q.since) ? Number(q.since) : q.since;
    if (q.epoch) params.epoch = q.epoch;
    reply.header('etag', etag).header('cache-control', 'no-cache');
    return callAndReply(deps, reply, 'sync.pull', params);
  });

  app.post('/api/sync/event', async (req, reply) => {
    const body = req.body as { event?: unknown; payload?: unknown } | null;
    const event = body && typeof body === 'object' ? body.event : undefined;
    if (event === 'file.changed') {
      const { revision, changes } = await deps.engine.rescan();
      return reply.send({ applied: changes.length > 0, event, revision, changes: changes.length });
    }
    if (typeof event !== 'string' || !(TASK_EVENTS as readonly string[]).includes(event)) {
      return sendError(reply, {
        code: ErrorCode.InvalidRequest,
        message: `expected {event: "file.changed"} or {event: ${TASK_EVENTS.map((e) => `"${e}"`).join(' | ')}, payload: {tag?, id, task? | to?}}`,
      });
    }
    return applyTaskEvent(deps, reply, event as TaskEvent, body!.payload);
  });
}

/** Applies a pushed task event through the store, doing nothing when the file already says so. */
async function applyTaskEvent(deps: HttpDeps, reply: FastifyReply, event: TaskEvent, raw: unknown): Promise<FastifyReply> {
  const payload = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const id = TaskIdSchema.safeParse(payload.id);
  const tagGiven = payload.tag;
  if ((!id.success && event !== 'task.created') || (tagGiven !== undefined && typeof tagGiven !== 'string')) {
    return sendError(reply, { code: ErrorCode.InvalidParams, message: `invalid params for "${event}": payload needs {id, tag?}` });
  }
  const tag = (tagGiven as string | undefined) ?? (await deps.engine.currentTag());
  const current = id.success ? find(deps, tag, id.data) : undefined;
  const task = payload.task as Record<string, unknown> | undefined;
  const unchanged = { applied: false, event, revision: deps.engine.revision };

  const call = async (method: string, params: unknown) => {
    const outcome = await deps.dispatcher.call(method, params, httpContext());
    if ('error' in outcome) return sendError(reply, outcome.error);
    return reply.send({ applied: true, event, revision: (outcome.result as { revision: number }).revision, result: outcome.result });
  };

  switch (event) {
    case 'task.deleted':
      return current ? call('task.delete', { tag, id: id.data }) : reply.send(unchanged);
    case 'task.status.changed':
      if (current && current.status === payload.to) return reply.send(unchanged);
      return call('task.setStatus', { tag, ids: [id.data], status: payload.to });
    case 'task.created':
    case 'task.updated': {
      if (!task || typeof task !== 'object') {
        return sendError(reply, { code: ErrorCode.InvalidParams, message: `invalid params for "${event}": payload needs "task"` });
      }
      const { id: _id, ...fields } = task;
      if (current) {
        const differs = Object.entries(fields).some(([k, v]) => !jsonEqual(v, current[k]));
        return differs ? call('task.update', { tag, id: id.data, changes: fields }) : reply.send(unchanged);
      }
      if (event === 'task.updated') return callAndReply(deps, reply, 'task.update', { tag, id: id.data, changes: fields });
      return call('task.create', { tag, task: fields });
    }
  }
}

function find(deps: HttpDeps, tag: string, id: TaskId): Record<string, unknown> | undefined {
  const tagData = findTag(deps.engine.data, tag);
  return tagData ? (findTask(tagData, id)?.task as Record<string, unknown> | undefined) : undefined;
}
