import type { ConflictStrategy, MethodResult, ReadMethodName, TagProblem, TasksFile, ValidatedParams, WriteMethodName } from '@taskmaster/protocol';

/** What a task op knows besides the file and its params. */
export interface OpContext {
  /** The tag it works on: the params' `tag`, else Task Master's current tag. */
  tag: string;
  /** Task Master's current tag (state.json). */
  currentTag: string;
  /** The time of the change, ISO 8601: what `updated` fields get. */
  now: string;
  /** `task.update`'s strategy when its params name none. */
  conflictStrategy: ConflictStrategy;
  /** For reads, the broken tags of the version read (set by runReadOp): `tags.list` names them. */
  brokenTags?: readonly TagProblem[];
}

/** A write op's value: its method's result without the revision, which only a server assigns. */
export type WriteValue<M extends WriteMethodName> = Omit<MethodResult<M>, 'revision'>;
/** A read op's value: its method's result without what only a server knows. */
export type ReadValue<M extends ReadMethodName> = Omit<MethodResult<M>, 'revision' | 'epoch'>;

/**
 * A write op: checks its input first and throws a TaskmasterError before
 * touching `data` (a draft), so a failed op leaves the file as it was.
 * Synchronous; values it returns must not be drafts (copy them).
 */
export type WriteOp<M extends WriteMethodName> = (data: TasksFile, params: ValidatedParams<M>, ctx: OpContext) => WriteValue<M>;
/** A read op: never changes `data`. */
export type ReadOp<M extends ReadMethodName> = (data: TasksFile, params: ValidatedParams<M>, ctx: OpContext) => ReadValue<M>;

/** The context of a call with `params`: their `tag`, else the current one; now; the default strategy. */
export function opContextFor(params: unknown, currentTag: string, conflictStrategy: ConflictStrategy): OpContext {
  const given = (params as { tag?: string } | undefined)?.tag;
  return { tag: given ?? currentTag, currentTag, now: new Date().toISOString(), conflictStrategy };
}
