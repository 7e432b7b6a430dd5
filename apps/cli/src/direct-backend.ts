import { brokenTagNotice } from '@taskmaster/protocol';
import { callDirect, type Store } from '@taskmaster/store';
import { brokenTagWarnings } from './broken-tag-warnings.js';
import type { TaskBackend } from './task-backend.js';

/** Task verbs applied to the tasks file directly: the server's own ops, under the store's lock. */
export function directBackend(store: Store): TaskBackend {
  const warnOfOtherBrokenTags = brokenTagWarnings(async () => {
    const { brokenTags = [] } = await store.read();
    return { broken: brokenTags.map((p) => ({ tag: p.tag, notice: brokenTagNotice(p) })), currentTag: () => store.currentTag() };
  });
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
