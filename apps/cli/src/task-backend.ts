import type { MethodName, MethodParams, MethodResult } from '@taskmaster/protocol';

/**
 * A method's result as the CLI gets it: the same from a server and from the
 * file, except that only a server counts revisions and has an epoch.
 */
export type CallResult<M extends MethodName> = Omit<MethodResult<M>, 'revision' | 'epoch'> & { revision?: number };

/**
 * Where the task verbs go: the running sync server (so every client sees the
 * change at once) or the tasks file directly, running the very op a server
 * runs, under the store's lock. Either way one typed call per method of the
 * protocol's table.
 */
export interface TaskBackend {
  readonly route: 'server' | 'direct';
  /** For `--verbose`: `via server ws://…` or `direct file write (no server running)`. */
  readonly description: string;
  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<CallResult<M>>;
  close(): Promise<void>;
}
