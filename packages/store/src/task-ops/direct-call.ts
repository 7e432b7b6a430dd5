import {
  ErrorCode,
  isReadMethod,
  isWriteMethod,
  invalidMethodParams,
  methods,
  dismissNotice,
  TaskmasterError,
  type MethodName,
  type MethodResult,
  type ValidatedParams,
} from '@taskmaster/protocol';
import { writeCurrentTag } from '../current-tag.js';
import type { Store } from '../store-types.js';
import { afterCommit } from './after-commit.js';
import { opContextFor, type OpContext } from './op-types.js';
import { requireTag } from './lookup.js';
import { runReadOp, writeOps } from './table.js';

/** A method's result as the CLI gets it without a server: no revision (only a server counts them), no epoch. */
export type DirectResult<M extends MethodName> = Omit<MethodResult<M>, 'revision' | 'epoch'> & { revision?: number };

/**
 * Runs a method of the protocol's table on the tasks file, without a server:
 * the same op a server runs, here in one store transaction (writes) or on one
 * read (reads). Params are validated as a server validates them. Methods
 * about a server's connections are refused with 1004.
 */
export async function callDirect<M extends MethodName>(store: Store, method: M, rawParams: unknown): Promise<DirectResult<M>> {
  const parsed = methods[method].params.safeParse(rawParams);
  if (!parsed.success) throw invalidMethodParams(method, parsed.error.issues);
  const params = parsed.data as ValidatedParams<M>;
  // The project's conflict strategy, as a server on it would use (sync.json).
  const context = async (): Promise<OpContext> => opContextFor(params, await store.currentTag(), store.config.conflictStrategy);
  if (isWriteMethod(method)) {
    const ctx = await context();
    const op = writeOps[method] as (data: never, params: unknown, ctx: OpContext) => object;
    const { value } = await store.transact((data) => op(data as never, params, ctx), { reason: method });
    return (await afterCommit(store, method, value as never)) as DirectResult<M>;
  }
  if (isReadMethod(method)) {
    const ctx = await context();
    return runReadOp(method, await store.read(), params as never, ctx) as DirectResult<M>;
  }
  return (await callSession(store, method, params)) as DirectResult<M>;
}

/** The session methods that make sense without a server. */
async function callSession(store: Store, method: MethodName, params: unknown): Promise<object> {
  switch (method) {
    case 'history.list':
      return { snapshots: await store.history.list() };
    case 'history.restore':
      return (await store.history.restore((params as ValidatedParams<'history.restore'>).id)).value;
    case 'tag.use':
      return useTag(store, (params as ValidatedParams<'tag.use'>).name);
    case 'overridden.dismiss':
      return { dismissed: await dismissKept(store, (params as ValidatedParams<'overridden.dismiss'>).notice) };
    default:
      throw new TaskmasterError(ErrorCode.MethodNotFound, `${method} needs a running sync server (taskmaster sync server start)`);
  }
}

/**
 * `overridden.dismiss` with no server: drops the notice from what the last
 * server kept, if it still stands in the file (the next server then never
 * announces it). The notices that no longer stand go with it.
 */
async function dismissKept(store: Store, notice: string): Promise<boolean> {
  const { dismissed, rest } = dismissNotice(await store.overridden.standing(async () => (await store.read()).data), notice);
  if (!dismissed) return false;
  await store.overridden.write(rest);
  return true;
}

/** `tag.use`: checks the tag exists, then writes it to state.json (as only a rename of the current tag does besides). */
export async function useTag(store: Store, name: string): Promise<MethodResult<'tag.use'>> {
  const { data } = await store.read();
  const taskCount = requireTag(data, name).tasks.length;
  const previous = await writeCurrentTag(store.paths.stateFile, name, new Date().toISOString());
  return { current: name, previous, taskCount };
}
