import { DEFAULT_TAG, findTag, hasTag, isLegacyTasksFile, type TasksFile, type WriteMethodName } from '@taskmaster/protocol';
import { writeCurrentTag } from '../current-tag.js';
import type { Store } from '../store-types.js';
import type { WriteValue } from './op-types.js';

/**
 * What a write does beyond tasks.json, once it is durable, as Task Master
 * does it: a server runs it when its commit queue has written the op, the CLI
 * without a server when its transaction has. Returns the op's value with what
 * it adds. Only `tag.rename` has such a step.
 */
export async function afterCommit<M extends WriteMethodName>(store: Store, method: M, value: WriteValue<M>): Promise<WriteValue<M>> {
  if (method !== 'tag.rename') return value;
  return (await followRenamedCurrentTag(store, value as WriteValue<'tag.rename'>)) as WriteValue<M>;
}

/**
 * A renamed tag that was Task Master's current one stays current under its new
 * name, as Task Master's rename-tag does: state.json would otherwise name a tag
 * that no longer exists, and every later command would fail on it. Read after
 * the rename, so a `use-tag` meanwhile is not undone.
 */
async function followRenamedCurrentTag(store: Store, value: WriteValue<'tag.rename'>): Promise<WriteValue<'tag.rename'>> {
  if ((await store.currentTag()) !== value.from) return value;
  await writeCurrentTag(store.paths.stateFile, value.to, new Date().toISOString());
  return { ...value, current: true };
}

/**
 * After a version written from another machine (team sync's changes) that
 * took away Task Master's current tag, state.json names a tag that still
 * exists, as Task Master does on this machine: the tag's new name when that
 * version renamed it (known by the new tag's `metadata.renamed.from`, which
 * Task Master's rename-tag and ours write), else `master`, where Task
 * Master's delete-tag moves it. A current tag that does not exist would make
 * Task Master list nothing and refuse to add a task. Returns the tag state.json
 * now names, or undefined when it was left as it was.
 */
export async function followCurrentTag(store: Store, before: TasksFile, after: TasksFile): Promise<string | undefined> {
  if (isLegacyTasksFile(before) || isLegacyTasksFile(after)) return undefined;
  const current = await store.currentTag();
  if (hasTag(after, current) || !hasTag(before, current)) return undefined;
  const to = Object.keys(after).find((tag) => !hasTag(before, tag) && renamedFrom(after, tag) === current) ?? (hasTag(after, DEFAULT_TAG) ? DEFAULT_TAG : undefined);
  if (to === undefined) return undefined;
  await writeCurrentTag(store.paths.stateFile, to, new Date().toISOString());
  return to;
}

function renamedFrom(file: TasksFile, tag: string): unknown {
  return (findTag(file, tag)?.metadata as { renamed?: { from?: unknown } } | undefined)?.renamed?.from;
}
