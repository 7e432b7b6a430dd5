import type { Store } from '@taskmaster/store';
import type { TaskBackend } from './task-backend.js';

/** Task verbs applied to the tasks file directly, under the store's lock. */
export function directBackend(store: Store): TaskBackend {
  return {
    route: 'direct',
    description: 'direct file write (no server running)',
    async list({ tag, status }) {
      const { tag: name, tasks } = await store.list({ tag, status: status && status.length > 0 ? status : undefined });
      return { tag: name, tasks };
    },
    async get(id, tag) {
      return store.get(id, { tag });
    },
    async create(task, { tag, parentId }) {
      return (await store.create(task, { tag, parentId })).value;
    },
    async update(id, changes, tag) {
      return (await store.update(id, changes, { tag })).value;
    },
    async setStatus(ids, status, tag) {
      return (await store.setStatus(ids, status, { tag })).value;
    },
    async remove(id, tag) {
      return (await store.remove(id, { tag })).value;
    },
    async historyList() {
      return { snapshots: await store.history.list() };
    },
    async historyRestore(id) {
      return (await store.history.restore(id)).value;
    },
    async close() {},
  };
}
