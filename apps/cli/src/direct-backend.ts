import { brokenTagNotice } from '@taskmaster/protocol';
import { callDirect, type Store } from '@taskmaster/store';
import { note } from './output.js';
import type { TaskBackend } from './task-backend.js';

/** Task verbs applied to the tasks file directly: the server's own ops, under the store's lock. */
export function directBackend(store: Store): TaskBackend {
  const warnOfOtherBrokenTags = brokenTagWarnings(store);
  return {
    route: 'direct',
    description: 'direct file write (no server running)',
    async call(method, params) {
      await warnOfOtherBrokenTags((params as { tag?: string } | undefined)?.tag);
      return callDirect(store, method, params);
    },
    async close() {},
  };
}

/**
 * Once per command, one warning line on stderr for each broken tag (one of
 * its tasks invalid) other than the one the command works on; a command on a
 * broken tag itself fails, naming the task and field, in the op it runs
 * (reads: runReadOp; writes: the store's validation), as through a server.
 */
function brokenTagWarnings(store: Store): (tag: string | undefined) => Promise<void> {
  let checked = false;
  return async (tag) => {
    if (checked) return;
    checked = true;
    const { brokenTags = [] } = await store.read();
    if (brokenTags.length === 0) return;
    const name = tag ?? (await store.currentTag());
    for (const p of brokenTags) if (p.tag !== name) note(`warning: ${brokenTagNotice(p)}`);
  };
}
