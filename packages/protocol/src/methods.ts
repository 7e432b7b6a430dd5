import * as z from 'zod';
import { EventPatternListSchema, events } from './events.js';
import { TeamStatusSchema } from './team.js';
import { TaskAnnotationsSchema } from './board.js';
import {
  PrioritySchema,
  StatusSchema,
  SubtaskSchema,
  TaskIdSchema,
  TaskSchema,
} from './task.js';
import { ServedTasksFileSchema } from './tag-problems.js';

/**
 * The method table: every request a client may send, name → kind, params and
 * result schemas. The server's handlers, the CLI's calls, the HTTP API and the
 * client's calls are all typed and derived from it.
 *
 * Kinds: `read` and `write` methods are task operations, one pure function
 * each over the tasks file (the store's op table): a server runs writes in
 * its commit queue, the CLI without a server in a store transaction, reads
 * on the version it holds. `session` methods are about the connection, the
 * server or files other than tasks.json, and are implemented by hand.
 */

export const CONFLICT_STRATEGIES = ['last-write-wins', 'merge', 'manual'] as const;
export const ConflictStrategySchema = z.enum(CONFLICT_STRATEGIES);
export type ConflictStrategy = z.infer<typeof ConflictStrategySchema>;

const tag = z.string().min(1).optional();
const tagName = z.string().min(1);
const revision = z.number().int().nonnegative();
/** Longest `overriddenNoticeId` taken: tag, id, field names, snapshot and a hash, far shorter in practice. */
const MAX_NOTICE_NAME = 16 * 1024;

/** The fields besides `title` that a client may give a task, by creating or updating it: one list for every such schema. */
const editableFields = {
  description: z.string().optional(),
  details: z.string().optional(),
  testStrategy: z.string().optional(),
  priority: PrioritySchema.optional(),
  status: StatusSchema.optional(),
  dependencies: z.array(TaskIdSchema).optional(),
};

/** Fields a client may set on a new task; unknown fields are kept. */
export const TaskInputSchema = z
  .object({
    title: z.string().min(1),
    ...editableFields,
  })
  .loose();
export type TaskInput = z.infer<typeof TaskInputSchema>;

/** Fields a client may change on a task; unknown fields are kept, `id` is not changeable. */
export const TaskPatchSchema = z
  .object({
    title: z.string().min(1).optional(),
    ...editableFields,
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
    ...editableFields,
  })
  .strict();
export type TaskUpdateParams = z.infer<typeof TaskUpdateParamsSchema>;

const SHORTHAND_FIELDS = ['title', ...(Object.keys(editableFields) as Array<keyof typeof editableFields>)] as const;

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
  /**
   * Set when the tag is broken (a task in it does not validate): where and
   * what, `task 7, field title: expected string, received null`. Reads of
   * it are refused until a write or an edit makes it valid again.
   */
  problem: z.string().optional(),
});

/** Why the server cannot read tasks.json: not JSON or not a tasks file (`invalid`), or `missing`, with its message. */
export const FileProblemSchema = z.object({ kind: z.enum(['invalid', 'missing']), message: z.string() });
export type FileProblem = z.infer<typeof FileProblemSchema>;

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

/** A dependency that cannot hold: on a task that does not exist, on itself, or in a cycle. */
export const DependencyProblemSchema = z.object({
  /** The task or subtask (`5` or `5.2`) whose dependency it is. */
  id: z.string(),
  dependsOn: z.string(),
  problem: z.enum(['missing', 'self', 'circular']),
});
export type DependencyProblem = z.infer<typeof DependencyProblemSchema>;

const DependencyResultSchema = z.object({ tag: z.string(), revision, id: z.string(), dependencies: z.array(TaskIdSchema) });

export const methods = {
  ping: { kind: 'session', params: noParams, result: z.object({ pong: z.literal(true), time: z.number() }) },
  subscribe: { kind: 'session',
    params: z
      .object({
        events: z.array(z.unknown()).min(1).pipe(EventPatternListSchema),
        /** From now on, each `task.updated` comes as `task.patched`: only what changed (see the event table). */
        patches: z.boolean().optional(),
      })
      .strict(),
    result: z.object({ subscribed: z.array(z.string()) }),
  },
  unsubscribe: { kind: 'session',
    params: z.object({ events: EventPatternListSchema.optional() }).strict().optional(),
    result: z.object({ subscribed: z.array(z.string()) }),
  },
  'tasks.list': { kind: 'read',
    params: z
      .object({
        tag,
        status: z.union([z.string(), z.array(z.string())]).optional(),
        withSubtasks: z.boolean().optional(),
        /** Only tasks whose dependencies are all done (Task Master's `list --ready`). */
        ready: z.boolean().optional(),
      })
      .strict()
      .optional(),
    result: z.object({ tag: z.string(), epoch: z.string(), revision, tasks: z.array(TaskSchema) }),
  },
  'task.get': { kind: 'read',
    params: z.object({ id: TaskIdSchema, tag }).strict(),
    result: TaskResultSchema,
  },
  'task.create': { kind: 'write',
    params: z.object({ tag, parentId: TaskIdSchema.optional(), task: TaskInputSchema }).strict(),
    result: TaskResultSchema,
  },
  'task.update': { kind: 'write',
    params: TaskUpdateParamsSchema,
    result: TaskResultSchema.extend({ changed: z.array(z.string()) }),
  },
  'task.setStatus': { kind: 'write',
    params: z.object({ ids: z.array(TaskIdSchema).min(1), status: StatusSchema, tag }).strict(),
    result: z.object({
      tag: z.string(),
      revision,
      tasks: z.array(z.object({ id: z.string(), from: z.string().optional(), to: z.string() })),
    }),
  },
  'task.delete': { kind: 'write',
    params: z.object({ id: TaskIdSchema, tag }).strict(),
    result: z.object({
      tag: z.string(),
      revision,
      id: z.string(),
      /** Tasks that depended on the deleted one and no longer do. */
      removedFrom: z.array(z.string()),
    }),
  },
  'conflict.resolve': { kind: 'session',
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
  'tags.list': { kind: 'read',
    params: noParams,
    result: z.object({ current: z.string(), tags: z.array(TagSummarySchema) }),
  },
  'sync.status': { kind: 'session',
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
      /** Team sync's state, when this project is joined to a team. */
      team: TeamStatusSchema.optional(),
      /**
       * Set while the server cannot read tasks.json (not JSON, not a tasks
       * file, missing): what its last `file.invalid` or `file.missing` said.
       * Clients meanwhile hold the last version it read.
       */
      fileProblem: FileProblemSchema.optional(),
      /**
       * Changes another program wrote over that still stand (see
       * `stillOverridden`): the recent `sync.conflict` notices, the latest per
       * task, whose task still holds what replaced ours. A client that opens
       * after the notice went out can still see it and put the change back.
       */
      overridden: z.array(events['sync.conflict']).optional(),
    }),
  },
  'sync.pull': { kind: 'session',
    params: z.object({ since: revision.optional(), epoch: z.string().optional() }).strict().optional(),
    result: z.object({
      epoch: z.string(),
      revision,
      /** True when `data` holds a full snapshot instead of the missed events. */
      full: z.boolean(),
      events: z.array(EventMessageSchema),
      data: ServedTasksFileSchema.optional(),
    }),
  },
  'sync.reload': { kind: 'session',
    params: z.object({ force: z.boolean().optional() }).strict().optional(),
    result: z.object({
      revision,
      counts: z.object({ created: z.number(), updated: z.number(), deleted: z.number(), statusChanged: z.number(), moved: z.number() }),
      snapshotsSent: z.number().int(),
    }),
  },
  'tasks.annotations': {
    kind: 'session',
    /** By task: the complexity score of Task Master's report for the tag, and the SPARC mode of .taskmaster/sparc/mappings.json. */
    params: z.object({ tag }).strict().optional(),
    result: TaskAnnotationsSchema,
  },
  /**
   * Keeps what another program wrote over a change: the standing
   * `sync.conflict` named `notice` (its `overriddenNoticeId`) is dropped from
   * `sync.status` and from what the server keeps across restarts, and every
   * client is told (`sync.conflict.dismissed`). False when no such notice
   * stands (put back, changed again, or dismissed already). The file is not
   * touched.
   */
  'overridden.dismiss': { kind: 'session',
    params: z.object({ notice: z.string().min(1).max(MAX_NOTICE_NAME) }).strict(),
    result: z.object({ dismissed: z.boolean(), revision }),
  },
  'history.list': { kind: 'session',
    params: noParams,
    result: z.object({ snapshots: z.array(SnapshotInfoSchema) }),
  },
  'history.restore': { kind: 'session',
    params: z.object({ id: z.string().min(1) }).strict(),
    result: z.object({ revision, restored: z.string() }),
  },

  'tasks.next': {
    kind: 'read',
    params: z.object({ tag }).strict().optional(),
    result: z.object({
      tag: z.string(),
      revision,
      /** Task Master's next task to work on, or null when none is ready. A subtask has `parentId`. */
      next: z.object({ id: z.string(), parentId: z.string().optional(), task: z.union([TaskSchema, SubtaskSchema]) }).nullable(),
    }),
  },
  'task.move': {
    kind: 'write',
    params: z
      .object({
        tag,
        /** What to move: `5`, `5.2`; several at once pair with `to` in order. */
        from: z.array(TaskIdSchema).min(1),
        /** Where to (within the tag): an id that exists (its place) or a new one. */
        to: z.array(TaskIdSchema).min(1).optional(),
        /** Another tag to move the tasks to (then `to` is not given). */
        toTag: tagName.optional(),
        withDependencies: z.boolean().optional(),
        ignoreDependencies: z.boolean().optional(),
      })
      .strict()
      .refine((p) => (p.to === undefined) !== (p.toTag === undefined), { message: 'give either "to" (within the tag) or "toTag" (another tag)' })
      .refine((p) => p.to === undefined || p.to.length === p.from.length, { message: '"from" and "to" need the same number of ids' }),
    result: z.object({ tag: z.string(), revision, toTag: z.string().optional(), moved: z.array(z.object({ from: z.string(), to: z.string() })) }),
  },
  'task.reorder': {
    kind: 'write',
    /**
     * Puts a task (or a subtask among its siblings) just before `before`, or
     * last when `before` is null: the order Task Master lists a tag in. Ids
     * stay as they are (unlike `task.move`, which renumbers).
     */
    params: z.object({ tag, id: TaskIdSchema, before: TaskIdSchema.nullable() }).strict(),
    result: z.object({ tag: z.string(), revision, id: z.string(), index: z.number().int() }),
  },
  'subtask.add': {
    kind: 'write',
    params: z
      .object({ tag, parentId: TaskIdSchema, task: TaskInputSchema.optional(), /** An existing task to turn into a subtask. */ taskId: TaskIdSchema.optional() })
      .strict()
      .refine((p) => (p.task === undefined) !== (p.taskId === undefined), { message: 'give either "task" (a new subtask) or "taskId" (a task to convert)' }),
    result: TaskResultSchema,
  },
  'subtask.remove': {
    kind: 'write',
    params: z.object({ tag, ids: z.array(TaskIdSchema).min(1), /** Keep each as a task of its own. */ convert: z.boolean().optional() }).strict(),
    result: z.object({ tag: z.string(), revision, removed: z.array(z.object({ id: z.string(), convertedTo: z.string().optional() })) }),
  },
  'subtasks.clear': {
    kind: 'write',
    params: z
      .object({ tag, ids: z.array(TaskIdSchema).min(1).optional(), all: z.boolean().optional() })
      .strict()
      .refine((p) => (p.ids === undefined) !== (p.all !== true), { message: 'give either "ids" or "all": true' }),
    result: z.object({ tag: z.string(), revision, cleared: z.array(z.object({ id: z.string(), count: z.number().int() })) }),
  },
  'dependency.add': {
    kind: 'write',
    params: z.object({ tag, id: TaskIdSchema, dependsOn: TaskIdSchema }).strict(),
    result: DependencyResultSchema,
  },
  'dependency.remove': {
    kind: 'write',
    params: z.object({ tag, id: TaskIdSchema, dependsOn: TaskIdSchema }).strict(),
    result: DependencyResultSchema,
  },
  'dependencies.validate': {
    kind: 'read',
    params: z.object({ tag }).strict().optional(),
    result: z.object({ tag: z.string(), revision, problems: z.array(DependencyProblemSchema) }),
  },
  'dependencies.fix': {
    kind: 'write',
    params: z.object({ tag }).strict().optional(),
    result: z.object({ tag: z.string(), revision, fixed: z.array(DependencyProblemSchema) }),
  },
  'tag.add': {
    kind: 'write',
    params: z.object({ name: tagName, /** A tag whose tasks the new one starts with. */ copyFrom: tagName.optional(), description: z.string().optional() }).strict(),
    result: z.object({ revision, tag: TagSummarySchema }),
  },
  'tag.delete': {
    kind: 'write',
    params: z.object({ name: tagName }).strict(),
    result: z.object({ revision, deleted: z.string(), taskCount: z.number().int() }),
  },
  'tag.rename': {
    kind: 'write',
    params: z.object({ from: tagName, to: tagName }).strict(),
    result: z.object({
      revision,
      from: z.string(),
      to: z.string(),
      /** True when it was Task Master's current tag: state.json now names it by its new name, as Task Master's rename-tag does. */
      current: z.literal(true).optional(),
    }),
  },
  'tag.copy': {
    kind: 'write',
    params: z.object({ from: tagName, to: tagName, description: z.string().optional() }).strict(),
    result: z.object({ revision, tag: TagSummarySchema }),
  },
  'tag.use': {
    kind: 'session',
    params: z.object({ name: tagName }).strict(),
    /** Writes state.json's current tag (as only a rename of the current tag does besides). */
    result: z.object({ current: z.string(), previous: z.string(), taskCount: z.number().int() }),
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

export type MethodKind = 'read' | 'write' | 'session';
type MethodsOfKind<K extends MethodKind> = { [M in MethodName]: MethodTable[M]['kind'] extends K ? M : never }[MethodName];
/** Task operations that change the tasks file. */
export type WriteMethodName = MethodsOfKind<'write'>;
/** Task operations that read the tasks file. */
export type ReadMethodName = MethodsOfKind<'read'>;
/** Methods implemented by hand: the connection, the server, other files. */
export type SessionMethodName = MethodsOfKind<'session'>;
export const WRITE_METHODS = METHOD_NAMES.filter((m) => methods[m].kind === 'write') as WriteMethodName[];
export const READ_METHODS = METHOD_NAMES.filter((m) => methods[m].kind === 'read') as ReadMethodName[];

/** True when `name` is a task operation that writes the tasks file. */
export function isWriteMethod(name: MethodName): name is WriteMethodName {
  return methods[name].kind === 'write';
}

/** True when `name` is a task operation that only reads the tasks file. */
export function isReadMethod(name: MethodName): name is ReadMethodName {
  return methods[name].kind === 'read';
}

/** True when `name` is a method of the table. */
export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

/** A server's implementation of the whole table; `Ctx` is the server's per-call context. */
export type Handlers<Ctx> = {
  [M in MethodName]: (params: ValidatedParams<M>, ctx: Ctx) => Promise<MethodResult<M>> | MethodResult<M>;
};

