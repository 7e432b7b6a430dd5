import { isJsonObject, jsonEqual } from './equal.js';
import { dependencyFullId, idKey, idLike } from './ids.js';
import type { TaskId } from './task.js';

type Fields = Record<string, unknown>;

/**
 * Tasks and subtasks given new ids, per tag, and how everything that names
 * them reads afterwards. Two writers that each add a task after the same
 * read both make task 4 (Task Master numbers max + 1); the one that yields
 * gets a free id, and its side's references to "4" — a dependency, a
 * subtask's `parentTaskId`, a subtask `"4.1"` — must follow it, or they name
 * the other writer's task. Used by the outside-write merge (rebase.ts) and
 * by team sync's renaming of a run of operations.
 *
 * Renames are looked up by the id as written (the original numbering), all
 * at once, never one after another: with 4 → 5 and 5 → 6, a 4 is 5.
 * A subtask of a renamed task is renamed with it (`"4.2"` → `"5.2"`).
 *
 * Dependencies follow protocol's rule (see `sameDependency`): in a subtask a
 * bare id names a sibling, a dotted one any subtask; in a task a bare id names
 * a task. Each keeps its form (a number, a string, bare or dotted).
 */
export class TaskRenames {
  /** `tag\0fullId` (as written) → the full id it has now. */
  private readonly to = new Map<string, string>();

  /** How many renames there are. */
  get size(): number {
    return this.to.size;
  }

  /** `from` (`"4"`, `"4.2"`, as written) is now `to` in `tag`. */
  set(tag: string, from: string, to: string): void {
    this.to.set(key(tag, from), to);
  }

  /** The full id `written` (`"4"`, `"4.2"`) has now. */
  fullId(tag: string, written: string): string {
    const direct = this.to.get(key(tag, written));
    if (direct !== undefined) return direct;
    const parent = parentOf(written);
    const renamedParent = parent === undefined ? undefined : this.to.get(key(tag, parent));
    return renamedParent === undefined ? written : `${renamedParent}${written.slice(parent!.length)}`;
  }

  /**
   * Renames, in place, an item written as `writtenId` and now `id` (a copy the
   * caller owns): its own id, its `parentTaskId`, its dependencies, and its
   * subtasks' (as a task carries them: copied, not changed in place).
   */
  renameItem(tag: string, item: Fields, writtenId: string, id: string = this.fullId(tag, writtenId)): void {
    this.rename(tag, item, writtenId, id, true);
  }

  /**
   * `tasks` (a tag's list, as written) with every reference to a renamed
   * item renamed — dependencies, subtasks' `parentTaskId` — but not the ids
   * of the items themselves. Copies only the tasks that change; `tasks`
   * itself when none does.
   */
  referencesIn(tag: string, tasks: readonly unknown[]): readonly unknown[] {
    let out: unknown[] | undefined;
    tasks.forEach((task, i) => {
      if (!isJsonObject(task) || task.id === undefined) return;
      const written = idKey(task.id as TaskId);
      const copy = { ...task };
      this.rename(tag, copy, written, written, false);
      // The renaming hands back every value it leaves as it was: equal means nothing named a renamed item.
      if (!jsonEqual(task, copy)) (out ??= [...tasks])[i] = copy;
    });
    return out ?? tasks;
  }

  /** {@link renameItem}; with `ids` false, only what the item and its subtasks name is renamed, not their own ids. */
  private rename(tag: string, item: Fields, writtenId: string, id: string, ids: boolean): void {
    if (ids && id !== writtenId && item.id !== undefined) item.id = idLike(item.id as TaskId, lastPart(id));
    const writtenParent = parentOf(writtenId);
    // A subtask's `parentTaskId`, which Task Master (and our store) write beside its id, follows its parent.
    if (writtenParent !== undefined && item.parentTaskId !== undefined && idKey(item.parentTaskId as TaskId) === writtenParent) {
      item.parentTaskId = idLike(item.parentTaskId as TaskId, parentOf(id) ?? writtenParent);
    }
    if (Array.isArray(item.dependencies)) item.dependencies = item.dependencies.map((d: TaskId) => this.dependency(tag, d, writtenParent));
    if (writtenParent !== undefined || !Array.isArray(item.subtasks)) return;
    item.subtasks = item.subtasks.map((sub: unknown) => {
      if (!isJsonObject(sub) || sub.id === undefined) return sub;
      const copy = { ...sub };
      const writtenSub = `${writtenId}.${idKey(sub.id as TaskId)}`;
      this.rename(tag, copy, writtenSub, this.fullId(tag, writtenSub), ids);
      return copy;
    });
  }

  /** A dependency of an item whose parent (as written) is `writtenParent` (undefined for a task): a bare one in a subtask is a sibling, and stays bare. */
  private dependency(tag: string, dep: TaskId, writtenParent: string | undefined): TaskId {
    const sibling = writtenParent !== undefined && !idKey(dep).includes('.');
    const full = dependencyFullId(dep, writtenParent);
    const now = this.fullId(tag, full);
    if (now === full) return dep;
    return idLike(dep, sibling ? lastPart(now) : now);
  }
}

function key(tag: string, fullId: string): string {
  return `${tag}\0${fullId}`;
}

function parentOf(fullId: string): string | undefined {
  const dot = fullId.indexOf('.');
  return dot < 0 ? undefined : fullId.slice(0, dot);
}

function lastPart(fullId: string): string {
  return fullId.slice(fullId.lastIndexOf('.') + 1);
}
