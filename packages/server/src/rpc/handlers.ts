import {
  assertNever,
  ErrorCode,
  TaskmasterError,
  findTask,
  isDoneStatus,
  isLegacyTasksFile,
  findTag,
  tagsOf,
  updateChanges,
  type Handlers,
  type MethodResult,
  type Task,
  type TaskId,
  type TasksFile,
} from '@taskmaster/protocol';
import { taskOps } from '@taskmaster/store';
import type { SyncEngine } from '../engine.js';
import { applyUpdate, currentTask, writeVersion } from '../state/update-op.js';
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
}

/** The whole method table, implemented over the engine. */
export function createHandlers(engine: SyncEngine, facts: ServerFacts): Handlers<CallContext> {
  const tagOf = async (tag: string | undefined) => tag ?? (await engine.currentTag());

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
    ping: () => ({ pong: true, time: Date.now() }),

    subscribe: ({ events }, { peer }) => {
      subscribe(peer, events);
      return { subscribed: [...peer.patterns] };
    },

    unsubscribe: (params, { peer }) => {
      if (!params?.events) peer.patterns.clear();
      else for (const e of params.events) peer.patterns.delete(e);
      return { subscribed: [...peer.patterns] };
    },

    'tasks.list': async (params) => {
      const tag = await tagOf(params?.tag);
      const revision = engine.revision;
      let tasks = tagTasks(engine.data, tag);
      const status = params?.status;
      if (status !== undefined) {
        const wanted = new Set(Array.isArray(status) ? status : [status]);
        tasks = tasks.filter((t) => wanted.has(t.status ?? 'pending'));
      }
      if (params?.withSubtasks === false) tasks = tasks.map(({ subtasks: _omit, ...rest }) => rest as Task);
      return { tag, epoch: engine.changeLog.epoch, revision, tasks };
    },

    'task.get': async ({ id, tag: given }) => {
      const tag = await tagOf(given);
      const tagData = findTag(engine.data, tag);
      if (!tagData) throw tagNotFound(tag);
      const found = findTask(tagData, id);
      if (!found) throw taskNotFound(tag, id);
      return { tag, revision: engine.revision, id: String(id), task: found.task as Task };
    },

    'task.create': async ({ tag: given, parentId, task }) => {
      const tag = await tagOf(given);
      const { value, revision } = await engine.queue.submit('task.create', (data) => taskOps.createTask(data, tag, task, parentId));
      return { tag: value.tag, revision, id: value.id, task: value.task };
    },

    'task.update': async (params) => {
      const tag = await tagOf(params.tag);
      const strategy = params.strategy ?? engine.options.conflictStrategy;
      if (strategy !== 'last-write-wins' && !params.base) {
        throw new TaskmasterError(
          ErrorCode.InvalidParams,
          `invalid params for "task.update": strategy "${strategy}" needs "base", the version of the task you edited`,
          { issues: [{ path: 'base', message: 'required for this strategy' }] },
        );
      }
      const req = { tag, id: params.id, changes: updateChanges(params), strategy, base: params.base };
      const { value, revision } = await engine.queue.submit('task.update', (data) => applyUpdate(data, req, engine.conflicts));
      return { tag: value.tag, revision, id: value.id, task: value.task, changed: value.changed };
    },

    'task.setStatus': async ({ ids, status, tag: given }) => {
      const tag = await tagOf(given);
      const { value, revision } = await engine.queue.submit('task.setStatus', (data) => taskOps.setStatus(data, tag, ids, status));
      return { tag: value.tag, revision, tasks: value.tasks };
    },

    'task.delete': async ({ id, tag: given }) => {
      const tag = await tagOf(given);
      const { value, revision } = await engine.queue.submit('task.delete', (data) => taskOps.deleteTask(data, tag, id));
      return { tag: value.tag, revision, id: value.id, removedFrom: value.removedFrom };
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
        if (!current) throw taskNotFound(tag, id);
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

    'tags.list': async () => ({ current: await engine.currentTag(), tags: tagSummaries(engine.data) }),

    'sync.status': () => ({
      epoch: engine.changeLog.epoch,
      revision: engine.revision,
      pid: process.pid,
      startedAt: engine.startedAt.toISOString(),
      uptimeMs: Date.now() - engine.startedAt.getTime(),
      urls: facts.urls,
      tags: tagSummaries(engine.data),
      connections: facts.connections(),
    }),

    'sync.pull': (params) => engine.changeLog.pull(params, () => engine.data),

    'sync.reload': (params) => (params?.force ? forcedReload() : reload(false)),

    'history.list': async () => ({ snapshots: await engine.store.history.list() }),

    'history.restore': async ({ id }) =>
      engine.queue.exclusive(async () => {
        const res = await engine.store.history.restore(id);
        const { revision } = engine.takeVersion(res.data, res.hash, 'server');
        return { revision, restored: res.value.restored };
      }),
  };
}

/** The tasks of `tag`, or a not-found error. */
function tagTasks(data: TasksFile, tag: string): Task[] {
  const tagData = findTag(data, tag);
  if (!tagData) throw tagNotFound(tag);
  return tagData.tasks;
}

/** Name, counts and description of every tag. */
export function tagSummaries(data: TasksFile): MethodResult<'tags.list'>['tags'] {
  return Object.entries(tagsOf(data)).map(([name, tagData]) => {
    const summary: MethodResult<'tags.list'>['tags'][number] = {
      name,
      taskCount: tagData.tasks.length,
      completedCount: tagData.tasks.filter((t) => isDoneStatus(t.status)).length,
    };
    const description = isLegacyTasksFile(data) ? undefined : tagData.metadata?.description;
    if (description !== undefined) summary.description = description;
    return summary;
  });
}

/** A missing tag; `data.reason` lets the HTTP layer answer 404. */
export function tagNotFound(tag: string): TaskmasterError {
  return new TaskmasterError(ErrorCode.InvalidParams, `tag "${tag}" not found; list tags with tags.list`, { reason: 'not-found', tag });
}

/** A missing task; `data.reason` lets the HTTP layer answer 404. */
export function taskNotFound(tag: string, id: TaskId): TaskmasterError {
  return new TaskmasterError(ErrorCode.InvalidParams, `task ${String(id)} not found in tag "${tag}"`, {
    reason: 'not-found',
    tag,
    id: String(id),
  });
}
