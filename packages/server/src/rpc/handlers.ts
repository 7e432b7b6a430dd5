import {
  assertNever,
  findTag,
  tagNotFoundError,
  tagsOf,
  ErrorCode,
  READ_METHODS,
  TaskmasterError,
  WRITE_METHODS,
  type ConflictData,
  type Handlers,
  type MethodResult,
  type ReadMethodName,
  type Task,
  type ValidatedParams,
  type WriteMethodName,
  type TeamStatus,
  type OverriddenNotice,
} from '@taskmaster/protocol';
import { afterCommit, currentTask, opContextFor, readTaskAnnotations, runReadOp, tagSummaries, useTag, writeOps, writeVersion, type OpContext } from '@taskmaster/store';
import type { SyncEngine } from '../engine.js';
import type { ConflictRegistry } from '../state/conflicts.js';
import type { Peer } from '../ws/peer.js';
import { subscribe } from '../ws/subscriptions.js';

/** What every handler gets besides its params. */
export interface CallContext {
  peer: Peer;
}

/** Static facts the status methods report. */
export interface ServerFacts {
  urls: { ws: string; http: string };
  connections: () => MethodResult<'sync.status'>['connections'];
  /** Sends a full snapshot to every subscribed connection; returns how many got it. */
  sendSnapshots: () => number;
  /** Team sync's state, when the project is joined to a team. */
  team?: () => TeamStatus | undefined;
}

/** The whole method table, implemented over the engine. */
export function createHandlers(engine: SyncEngine, facts: ServerFacts): Handlers<CallContext> {
  const opContext = async (params: unknown): Promise<OpContext> => opContextFor(params, await engine.currentTag(), engine.options.conflictStrategy);

  // Every task operation of the protocol's table, from the store's op tables: writes through the commit queue.
  const write = <M extends WriteMethodName>(method: M) =>
    async (params: ValidatedParams<M>): Promise<MethodResult<M>> => {
      const ctx = await opContext(params);
      const op = writeOps[method] as (data: never, params: ValidatedParams<M>, ctx: OpContext) => object;
      try {
        const { value, revision } = await engine.queue.submit(method, (data) => op(data as never, params, ctx));
        return { ...(await afterCommit(engine.store, method, value as never)), revision } as MethodResult<M>;
      } catch (err) {
        throw registered(err, engine.conflicts);
      }
    };
  const read = <M extends ReadMethodName>(method: M) =>
    async (params: ValidatedParams<M>): Promise<MethodResult<M>> => {
      const ctx = await opContext(params);
      const revision = engine.revision;
      const value = runReadOp(method, engine.version, params, ctx);
      return (method === 'tasks.list' ? { ...value, revision, epoch: engine.changeLog.epoch } : { ...value, revision }) as MethodResult<M>;
    };
  const taskOperations = {
    ...Object.fromEntries(WRITE_METHODS.map((m) => [m, write(m)])),
    ...Object.fromEntries(READ_METHODS.map((m) => [m, read(m)])),
  } as unknown as Pick<Handlers<CallContext>, WriteMethodName | ReadMethodName>;

  const reload = async (force: boolean): Promise<MethodResult<'sync.reload'>> => {
    const { revision, changes } = await engine.rescan();
    const counts = { created: 0, updated: 0, deleted: 0, statusChanged: 0, moved: 0 };
    for (const c of changes) {
      switch (c.event) {
        case 'task.created':
          counts.created++;
          break;
        case 'task.updated':
          counts.updated++;
          break;
        case 'task.deleted':
          counts.deleted++;
          break;
        case 'task.status.changed':
          counts.statusChanged++;
          break;
        case 'task.moved':
          counts.moved++;
          break;
        default:
          assertNever(c);
      }
    }
    const snapshotsSent = force ? facts.sendSnapshots() : 0;
    return { revision, counts, snapshotsSent };
  };
  // Forced reloads are coalesced: one runs at a time, and every call arriving
  // meanwhile shares the single next one (which still reads the file after
  // they asked), so a burst of N calls costs two reloads and two snapshots.
  let forcedRunning: Promise<MethodResult<'sync.reload'>> | undefined;
  let forcedNext: Promise<MethodResult<'sync.reload'>> | undefined;
  const forcedReload = (): Promise<MethodResult<'sync.reload'>> => {
    if (forcedNext) return forcedNext;
    if (!forcedRunning) {
      const run = reload(true).finally(() => {
        if (forcedRunning === run) forcedRunning = undefined;
      });
      forcedRunning = run;
      return run;
    }
    const ignore = () => undefined;
    forcedNext = forcedRunning.then(ignore, ignore).then(() => {
      forcedNext = undefined;
      return forcedReload();
    });
    return forcedNext;
  };

  return {
    ...taskOperations,

    ping: () => ({ pong: true, time: Date.now() }),

    subscribe: ({ events, patches }, { peer }) => {
      subscribe(peer, events, patches);
      return { subscribed: [...peer.patterns] };
    },

    unsubscribe: (params, { peer }) => {
      if (!params?.events) peer.patterns.clear();
      else for (const e of params.events) peer.patterns.delete(e);
      return { subscribed: [...peer.patterns] };
    },

    'conflict.resolve': async ({ conflictId, choice, task }) => {
      const conflict = engine.conflicts.get(conflictId);
      if (!conflict) {
        throw new TaskmasterError(ErrorCode.InvalidParams, `conflict ${conflictId} is unknown or has expired; fetch the task and edit it again`);
      }
      const { tag, id } = conflict;
      if (choice === 'theirs') {
        engine.conflicts.delete(conflictId);
        const current = currentTask(engine.data, tag, id);
        if (!current) throw new TaskmasterError(ErrorCode.NotFound, `task ${id} no longer exists in tag "${tag}"`, { tag, id });
        return { tag, revision: engine.revision, id, task: current as Task };
      }
      if (choice === 'merged' && !task) {
        throw new TaskmasterError(ErrorCode.InvalidParams, 'invalid params for "conflict.resolve": choice "merged" needs "task", the merged version', {
          issues: [{ path: 'task', message: 'required when choice is "merged"' }],
        });
      }
      const version = choice === 'mine' ? conflict.mine : task!;
      const { value, revision } = await engine.queue.submit('conflict.resolve', (data) => writeVersion(data, tag, id, version));
      engine.conflicts.delete(conflictId);
      return { tag: value.tag, revision, id: value.id, task: value.task };
    },

    'tag.use': ({ name }) => useTag(engine.store, name),

    'sync.status': () => ({
      epoch: engine.changeLog.epoch,
      revision: engine.revision,
      pid: process.pid,
      startedAt: engine.startedAt.toISOString(),
      uptimeMs: Date.now() - engine.startedAt.getTime(),
      urls: facts.urls,
      tags: tagSummaries(engine.data, engine.version.brokenTags),
      connections: facts.connections(),
      ...teamOf(facts),
      ...(engine.fileProblem ? { fileProblem: engine.fileProblem } : {}),
      ...overriddenNow(engine),
    }),

    'sync.pull': (params) => engine.changeLog.pull(params, () => engine.served),

    'sync.reload': (params) => (params?.force ? forcedReload() : reload(false)),

    'tasks.annotations': async (params) => {
      const tag = params?.tag ?? (await engine.currentTag());
      const tagData = findTag(engine.data, tag);
      if (!tagData) throw tagNotFoundError(tag, Object.keys(tagsOf(engine.data)));
      return readTaskAnnotations(engine.store.paths, tag, tagData.tasks);
    },

    'overridden.dismiss': ({ notice }) => ({ dismissed: engine.dismissOverridden(notice), revision: engine.revision }),

    'history.list': async () => ({ snapshots: await engine.store.history.list() }),

    'history.restore': async ({ id }) =>
      engine.queue.exclusive(async () => {
        const res = await engine.store.history.restore(id);
        const { revision } = engine.takeVersion(res.data, res.hash, 'server');
        return { revision, restored: res.value.restored };
      }),
  };
}

/**
 * A 1006 from an op (a `task.update` its strategy refused) is kept in the
 * registry, so a client can settle it with `conflict.resolve`; its id goes
 * into the error's data and message.
 */
function registered(err: unknown, conflicts: ConflictRegistry): unknown {
  if (!(err instanceof TaskmasterError) || err.code !== ErrorCode.SyncConflict) return err;
  const data = err.data as ConflictData<Record<string, unknown>> | undefined;
  if (!data || data.conflictId !== undefined) return err;
  const { conflictId } = conflicts.add({ tag: data.tag, id: data.id, base: data.base ?? {}, mine: data.mine, theirs: data.theirs ?? {}, fields: data.fields });
  return new TaskmasterError(
    ErrorCode.SyncConflict,
    `${err.message}; settle it with conflict.resolve {conflictId, choice: "mine" | "theirs" | "merged"}`,
    { conflictId, ...data },
  );
}

function teamOf(facts: ServerFacts): { team?: TeamStatus } {
  const team = facts.team?.();
  return team ? { team } : {};
}

/** The overridden changes that still stand, for clients that were not there when they were announced. */
function overriddenNow(engine: SyncEngine): { overridden?: OverriddenNotice[] } {
  const overridden = engine.overridden;
  return overridden.length > 0 ? { overridden } : {};
}
