import { brokenTagError, brokenTagNamed, describeTagProblem } from '@taskmaster/protocol';
import { callDirect, type Store } from '@taskmaster/store';
import { note } from './output.js';
import type { TaskBackend } from './task-backend.js';

/** Task verbs applied to the tasks file directly: the server's own ops, under the store's lock. */
export function directBackend(store: Store): TaskBackend {
  const usable = brokenTagGuard(store);
  return {
    route: 'direct',
    description: 'direct file write (no server running)',
    async call(method, params) {
      await usable((params as { tag?: string } | undefined)?.tag);
      return callDirect(store, method, params);
    },
    async close() {},
  };
}

/**
 * Checks, once per command, that the tag it works on is not broken (one of
 * its tasks invalid): then it fails naming the task and field. Other broken
 * tags get one warning line on stderr each, and the command goes on.
 */
function brokenTagGuard(store: Store): (tag: string | undefined) => Promise<void> {
  let checked = false;
  return async (tag) => {
    if (checked) return;
    checked = true;
    const { brokenTags = [] } = await store.read();
    if (brokenTags.length === 0) return;
    const name = tag ?? (await store.currentTag());
    const own = brokenTagNamed(brokenTags, name);
    for (const p of brokenTags) {
      if (p === own) continue;
      note(`warning: tasks.json is invalid in ${describeTagProblem(p)}; that tag is left as it is and cannot be used until it is fixed ('taskmaster history list' shows snapshots to restore). Other tags work.`);
    }
    if (own) throw brokenTagError(own);
  };
}
