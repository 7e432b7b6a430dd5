import { isJsonObject } from './equal.js';
import { dependencyFullId, idKey } from './ids.js';
import type { TaskId } from './task.js';

/**
 * Dependencies left naming a deleted task. A delete removes the dependencies
 * on what it deleted, in Task Master as in our store, but only those its
 * writer saw: a dependency another writer added meanwhile on the deleted
 * task names nothing once the two are merged, and the task holding it is
 * never ready again. The merges drop it (the outside-write merge, and team
 * sync before it sends a change on), as the delete would have.
 */

/** The full ids (`"5"`, `"5.2"`) of a tag's tasks and their subtasks. */
export function fullIdsOf(tasks: readonly unknown[]): Set<string> {
  const ids = new Set<string>();
  for (const task of tasks) {
    if (!isJsonObject(task) || task.id === undefined) continue;
    const key = idKey(task.id as TaskId);
    ids.add(key);
    if (!Array.isArray(task.subtasks)) continue;
    for (const sub of task.subtasks) if (isJsonObject(sub) && sub.id !== undefined) ids.add(`${key}.${idKey(sub.id as TaskId)}`);
  }
  return ids;
}

/**
 * The full ids of the tasks and subtasks one of the lists `known` holds and
 * `now` lacks: what was deleted since. An id none of them held (a
 * dependency that named nothing already) is not among them.
 */
export function deletedFullIds(known: ReadonlyArray<readonly unknown[]>, now: readonly unknown[]): Set<string> {
  const deleted = new Set<string>();
  for (const list of known) for (const id of fullIdsOf(list)) deleted.add(id);
  for (const id of fullIdsOf(now)) deleted.delete(id);
  return deleted;
}

/**
 * `tasks` without their dependencies, and their subtasks', on the full ids
 * `deleted`. Copies only the tasks that change, and returns `tasks` itself
 * when none does.
 */
export function withoutDependenciesOn<T>(deleted: ReadonlySet<string>, tasks: readonly T[]): readonly T[] {
  if (deleted.size === 0) return tasks;
  const kept = (deps: unknown, parent: string | undefined): unknown[] | undefined => {
    if (!Array.isArray(deps)) return undefined;
    const left = deps.filter((d) => !deleted.has(dependencyFullId(d as TaskId, parent)));
    return left.length === deps.length ? undefined : left;
  };
  let out: T[] | undefined;
  tasks.forEach((task, i) => {
    if (!isJsonObject(task)) return;
    const taskKey = idKey(task.id as TaskId);
    let changed: Record<string, unknown> = task;
    const deps = kept(task.dependencies, undefined);
    if (deps) changed = { ...changed, dependencies: deps };
    if (Array.isArray(task.subtasks)) {
      let subtasksChanged = false;
      const subtasks = task.subtasks.map((sub: unknown) => {
        const subDeps = isJsonObject(sub) ? kept(sub.dependencies, taskKey) : undefined;
        if (!subDeps) return sub;
        subtasksChanged = true;
        return { ...(sub as Record<string, unknown>), dependencies: subDeps };
      });
      if (subtasksChanged) changed = { ...changed, subtasks };
    }
    if (changed === task) return;
    out ??= tasks.slice();
    out[i] = changed as T;
  });
  return out ?? tasks;
}
