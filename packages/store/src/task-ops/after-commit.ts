import type { WriteMethodName } from '@taskmaster/protocol';
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
