import type { MethodResult, TaskInput } from '@taskmaster/protocol';

/** A method's result; `revision` is only known when a server made the change. */
export type Result<K extends keyof Results> = Results[K];

type WithOptionalRevision<T> = Omit<T, 'revision'> & { revision?: number };

/** What each backend operation returns. */
export interface Results {
  list: WithOptionalRevision<Omit<MethodResult<'tasks.list'>, 'epoch'>>;
  get: WithOptionalRevision<MethodResult<'task.get'>>;
  create: WithOptionalRevision<MethodResult<'task.create'>>;
  update: WithOptionalRevision<MethodResult<'task.update'>>;
  setStatus: WithOptionalRevision<MethodResult<'task.setStatus'>>;
  remove: WithOptionalRevision<MethodResult<'task.delete'>>;
  historyList: MethodResult<'history.list'>;
  historyRestore: WithOptionalRevision<MethodResult<'history.restore'>>;
}

/**
 * Where the task verbs go: the running sync server (so every client sees the
 * change at once) or the tasks file directly under the store's lock.
 */
export interface TaskBackend {
  readonly route: 'server' | 'direct';
  /** For `--verbose`: `via server ws://…` or `direct file write (no server running)`. */
  readonly description: string;
  list(params: { tag?: string; status?: string[] }): Promise<Result<'list'>>;
  get(id: string, tag?: string): Promise<Result<'get'>>;
  create(task: TaskInput, options: { tag?: string; parentId?: string }): Promise<Result<'create'>>;
  update(id: string, changes: Record<string, unknown>, tag?: string): Promise<Result<'update'>>;
  setStatus(ids: string[], status: string, tag?: string): Promise<Result<'setStatus'>>;
  remove(id: string, tag?: string): Promise<Result<'remove'>>;
  historyList(): Promise<Result<'historyList'>>;
  historyRestore(id: string): Promise<Result<'historyRestore'>>;
  close(): Promise<void>;
}
