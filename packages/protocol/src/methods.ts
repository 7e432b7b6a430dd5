import { z } from 'zod';
import { EventPatternListSchema } from './events.js';
import {
  PrioritySchema,
  StatusSchema,
  TaskIdSchema,
  TaskSchema,
  TasksFileSchema,
} from './task.js';

/**
 * The method table: every request a client may send, name → params and result
 * schemas. The server's handlers and the client's calls are both typed from it.
 */

export const CONFLICT_STRATEGIES = ['last-write-wins', 'merge', 'manual'] as const;
export const ConflictStrategySchema = z.enum(CONFLICT_STRATEGIES);
export type ConflictStrategy = z.infer<typeof ConflictStrategySchema>;

const tag = z.string().min(1).optional();
const revision = z.number().int().nonnegative();

/** Fields a client may set on a new task; unknown fields are kept. */
export const TaskInputSchema = z
  .object({
    title: z.string().min(1),
    description: z.string().optional(),
    details: z.string().optional(),
    testStrategy: z.string().optional(),
    priority: PrioritySchema.optional(),
    status: StatusSchema.optional(),
    dependencies: z.array(TaskIdSchema).optional(),
  })
  .loose();
export type TaskInput = z.infer<typeof TaskInputSchema>;

/** Fields a client may change on a task; unknown fields are kept, `id` is not changeable. */
export const TaskPatchSchema = z
  .object({
    title: z.string().min(1).optional(),
    description: z.string().optional(),
    details: z.string().optional(),
    testStrategy: z.string().optional(),
    priority: PrioritySchema.optional(),
    status: StatusSchema.optional(),
    dependencies: z.array(TaskIdSchema).optional(),
    subtasks: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .loose()
  .refine((p) => !('id' in p), { message: 'a task id cannot be changed' });
export type TaskPatch = z.infer<typeof TaskPatchSchema>;

/**
 * `task.update` params. Changes go in `changes`, or as top-level fields as in
 * the spec's example `{id, status: 'done'}`. `base` is the version the client
 * edited; `merge` and `manual` need it to tell concurrent changes apart.
 */
export const TaskUpdateParamsSchema = z
  .object({
    id: TaskIdSchema,
    tag,
    changes: TaskPatchSchema.optional(),
    base: z.record(z.string(), z.unknown()).optional(),
    strategy: ConflictStrategySchema.optional(),
    title: z.string().min(1).optional(),
    description: z.string().optional(),
    details: z.string().optional(),
    testStrategy: z.string().optional(),
    priority: PrioritySchema.optional(),
    status: StatusSchema.optional(),
    dependencies: z.array(TaskIdSchema).optional(),
  })
  .strict();
export type TaskUpdateParams = z.infer<typeof TaskUpdateParamsSchema>;

const SHORTHAND_FIELDS = ['title', 'description', 'details', 'testStrategy', 'priority', 'status', 'dependencies'] as const;

/** The changes a `task.update` asks for: `changes` plus any top-level shorthand fields. */
export function updateChanges(params: TaskUpdateParams): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(params.changes ?? {}) };
  for (const key of SHORTHAND_FIELDS) if (params[key] !== undefined) out[key] = params[key];
  return out;
}

const TaskResultSchema = z.object({ tag: z.string(), revision, id: z.string(), task: TaskSchema });

const EventMessageSchema = z.object({ event: z.string(), payload: z.unknown() });

const ConnectionInfoSchema = z.object({
  clientId: z.string(),
  client: z.string().optional(),
  peer: z.string(),
  since: z.string(),
  mode: z.enum(['websocket', 'http']),
  envelope: z.enum(['jsonrpc', 'sync']).optional(),
});
export type ConnectionInfo = z.infer<typeof ConnectionInfoSchema>;

const TagSummarySchema = z.object({
  name: z.string(),
  taskCount: z.number().int(),
  completedCount: z.number().int(),
  description: z.string().optional(),
});

const SnapshotInfoSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  bytes: z.number().int(),
  /** The change that followed the snapshot (absent for snapshots older than compression): operation, task ids, actor, tag. */
  op: z.string().optional(),
  ids: z.array(z.string()).optional(),
  actor: z.string().optional(),
  tag: z.string().optional(),
});

const noParams = z.object({}).strict().optional();

export const methods = {
  ping: { params: noParams, result: z.object({ pong: z.literal(true), time: z.number() }) },
  subscribe: {
    params: z.object({ events: z.array(z.unknown()).min(1).pipe(EventPatternListSchema) }).strict(),
    result: z.object({ subscribed: z.array(z.string()) }),
  },
  unsubscribe: {
    params: z.object({ events: EventPatternListSchema.optional() }).strict().optional(),
    result: z.object({ subscribed: z.array(z.string()) }),
  },
  'tasks.list': {
    params: z
      .object({
        tag,
        status: z.union([z.string(), z.array(z.string())]).optional(),
        withSubtasks: z.boolean().optional(),
      })
      .strict()
      .optional(),
    result: z.object({ tag: z.string(), epoch: z.string(), revision, tasks: z.array(TaskSchema) }),
  },
  'task.get': {
    params: z.object({ id: TaskIdSchema, tag }).strict(),
    result: TaskResultSchema,
  },
  'task.create': {
    params: z.object({ tag, parentId: TaskIdSchema.optional(), task: TaskInputSchema }).strict(),
    result: TaskResultSchema,
  },
  'task.update': {
    params: TaskUpdateParamsSchema,
    result: TaskResultSchema.extend({ changed: z.array(z.string()) }),
  },
  'task.setStatus': {
    params: z.object({ ids: z.array(TaskIdSchema).min(1), status: StatusSchema, tag }).strict(),
    result: z.object({
      tag: z.string(),
      revision,
      tasks: z.array(z.object({ id: z.string(), from: z.string().optional(), to: z.string() })),
    }),
  },
  'task.delete': {
    params: z.object({ id: TaskIdSchema, tag }).strict(),
    result: z.object({
      tag: z.string(),
      revision,
      id: z.string(),
      /** Tasks that depended on the deleted one and no longer do. */
      removedFrom: z.array(z.string()),
    }),
  },
  'conflict.resolve': {
    params: z
      .object({
        conflictId: z.string(),
        choice: z.enum(['mine', 'theirs', 'merged']),
        /** The merged task, required when `choice` is `merged`. */
        task: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
    result: TaskResultSchema,
  },
  'tags.list': {
    params: noParams,
    result: z.object({ current: z.string(), tags: z.array(TagSummarySchema) }),
  },
  'sync.status': {
    params: noParams,
    result: z.object({
      epoch: z.string(),
      revision,
      pid: z.number().int(),
      startedAt: z.string(),
      uptimeMs: z.number(),
      urls: z.object({ ws: z.string(), http: z.string() }),
      tags: z.array(TagSummarySchema),
      connections: z.array(ConnectionInfoSchema),
    }),
  },
  'sync.pull': {
    params: z.object({ since: revision.optional(), epoch: z.string().optional() }).strict().optional(),
    result: z.object({
      epoch: z.string(),
      revision,
      /** True when `data` holds a full snapshot instead of the missed events. */
      full: z.boolean(),
      events: z.array(EventMessageSchema),
      data: TasksFileSchema.optional(),
    }),
  },
  'sync.reload': {
    params: z.object({ force: z.boolean().optional() }).strict().optional(),
    result: z.object({
      revision,
      counts: z.object({ created: z.number(), updated: z.number(), deleted: z.number(), statusChanged: z.number(), moved: z.number() }),
      snapshotsSent: z.number().int(),
    }),
  },
  'history.list': {
    params: noParams,
    result: z.object({ snapshots: z.array(SnapshotInfoSchema) }),
  },
  'history.restore': {
    params: z.object({ id: z.string().min(1) }).strict(),
    result: z.object({ revision, restored: z.string() }),
  },
} as const;

export type MethodTable = typeof methods;
export type MethodName = keyof MethodTable;
/** What a caller passes (before defaults). */
export type MethodParams<M extends MethodName> = z.input<MethodTable[M]['params']>;
/** What a handler receives (after validation). */
export type ValidatedParams<M extends MethodName> = z.output<MethodTable[M]['params']>;
export type MethodResult<M extends MethodName> = z.output<MethodTable[M]['result']>;
export const METHOD_NAMES = Object.keys(methods) as MethodName[];

/** True when `name` is a method of the table. */
export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

/** A server's implementation of the whole table; `Ctx` is the server's per-call context. */
export type Handlers<Ctx> = {
  [M in MethodName]: (params: ValidatedParams<M>, ctx: Ctx) => Promise<MethodResult<M>> | MethodResult<M>;
};

