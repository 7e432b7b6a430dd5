import { ChangedPositions } from './changed-positions.js';
import { jsonEqual } from './equal.js';
import type { TaskChange } from './events.js';
import { idKey } from './ids.js';
import { idAfter, idBefore, matchList, type ListItem, type ListMatch } from './list-match.js';
import { longestIncreasingSubsequence } from './longest-increasing-subsequence.js';
import { recogniseMoves, type Origin } from './move-recognition.js';
import { changedTaskFields } from './task-equal.js';
import { findTag, tagsOf, type Task, type TasksFile } from './task.js';

/**
 * The task events that turn `before` into `after`, tag by tag, subtasks
 * included. A subtask change is reported as the subtask's own event
 * (id `"5.2"`, `parentId: "5"`), not as an update of its parent.
 *
 * Meaning, not representation: `1` and `"1"` are the same id, and
 * dependencies compare as references (`sameDependency` in ids.ts), so a
 * write that only flips how ids are written sends nothing. Payloads carry
 * the task as written in `after`.
 *
 * Order, within each tag (tags as in `before`, then new ones), so that
 * `applyTaskChange` of each event in turn turns `before` into `after`:
 * 1. Each list in file order, subtasks after their task: `task.created`
 *    (appended), `task.updated` (+ `task.status.changed`) of items that kept
 *    their id and list, then the list's `task.deleted`.
 * 2. `task.moved`: the top-level list first, then subtask lists in their
 *    parents' order, each from its first place to its last. Items on a
 *    longest increasing run of their old order stay put, the others move,
 *    so moving one task to the front is one event. A moved item's
 *    `task.updated` / `task.status.changed` (and, for a renumbered task, its
 *    subtasks' events) follow its `task.moved`. See `recogniseMoves` for
 *    when a deleted + created pair is one item moved.
 *
 * `positions` shares where the task lists changed with the other passes over this change.
 */
export function diffTasksFiles(before: TasksFile | undefined, after: TasksFile, positions: ChangedPositions = new ChangedPositions()): TaskChange[] {
  if (before === after) return [];
  const changes: TaskChange[] = [];
  const tags = new Set([...(before ? Object.keys(tagsOf(before)) : []), ...Object.keys(tagsOf(after))]);
  for (const tag of tags) {
    const old = (before ? findTag(before, tag)?.tasks : undefined) ?? [];
    const now = findTag(after, tag)?.tasks ?? [];
    if (old !== now) new TagDiff(tag, changes).run(old, now, positions);
  }
  return changes;
}

/** The top-level fields whose values differ between two versions of a task (as JSON; see `changedTaskFields` for ids). */
export function changedFields(before: object, after: object, ignore: readonly string[] = []): string[] {
  const x = before as Record<string, unknown>;
  const y = after as Record<string, unknown>;
  // Runs for every task on every commit: plain loops, no intermediate arrays.
  const out: string[] = [];
  for (const k of Object.keys(x)) if (!ignore.includes(k) && !jsonEqual(x[k], y[k])) out.push(k);
  for (const k of Object.keys(y)) {
    if (y[k] !== undefined && !Object.prototype.hasOwnProperty.call(x, k) && !ignore.includes(k)) out.push(k);
  }
  return out;
}

const IGNORED_TASK = ['subtasks'];
const IGNORED_SUBTASK: string[] = [];
const IGNORED_MOVED_TASK = ['subtasks', 'id'];
const IGNORED_MOVED_SUBTASK = ['id'];
const NO_MOVES: ReadonlyMap<ListItem, Origin> = new Map();

/** The events of one tag (see {@link diffTasksFiles} for their order). */
class TagDiff {
  /** Subtask lists of tasks paired by id, by the task's version after. */
  private readonly subtaskLists = new Map<ListItem, ListMatch>();
  /** The lists as a replica holds them while the moves are worked out, built on first use. */
  private readonly replicaLists = new Map<ListMatch, ListItem[]>();
  private moves: ReadonlyMap<ListItem, Origin> = NO_MOVES;
  /** Items before that moved → their version after. */
  private readonly movedTo = new Map<ListItem, ListItem>();

  constructor(
    private readonly tag: string,
    private readonly out: TaskChange[],
  ) {}

  run(before: readonly Task[], after: readonly Task[], positions: ChangedPositions): void {
    const top = matchList(before, after, undefined, undefined, positions);
    const lists = [top];
    this.forEachPair(top, (prev, next) => {
      const subtasks = matchSubtasks(prev, next);
      if (!subtasks) return;
      this.subtaskLists.set(next, subtasks);
      lists.push(subtasks);
    });
    this.moves = recogniseMoves(lists);
    for (const [next, origin] of this.moves) this.movedTo.set(origin.item, next);
    this.emitList(top);
    for (const list of lists) if (!list.inOrder) this.place(list);
  }

  /** Step 1 for one list: created, updated and deleted items, skipping moved ones. */
  private emitList(list: ListMatch): void {
    if (list.inOrder) {
      for (const i of list.changedAt) this.emitPair(list.before[i]!, list.after[i]!, list, list, false);
      return;
    }
    for (const next of list.after) {
      const prev = list.prevOf.get(next);
      if (prev) {
        if (prev !== next) this.emitPair(prev, next, list, list, false);
      } else if (!this.moves.has(next)) {
        this.out.push({ event: 'task.created', payload: { ...this.where(list), id: idAfter(list, next), task: next as Task } });
      }
    }
    for (const prev of list.deleted) {
      if (!this.movedTo.has(prev)) this.out.push({ event: 'task.deleted', payload: { ...this.where(list), id: idBefore(list, prev) } });
    }
  }

  /** The events of one item found in both versions (and of its subtasks); `moved`: paired by recogniseMoves. */
  private emitPair(prev: ListItem, next: ListItem, from: ListMatch, to: ListMatch, moved: boolean): void {
    const top = to.parentId === undefined;
    // Subtasks are diffed on their own, so a task is "updated" only by its own fields;
    // a moved item's new id is told by its task.moved.
    const ignore = moved ? (top ? IGNORED_MOVED_TASK : IGNORED_MOVED_SUBTASK) : top ? IGNORED_TASK : IGNORED_SUBTASK;
    const changed = changedTaskFields(prev, next, ignore, from.parentIdBefore, to.parentId);
    const where = this.where(to);
    const id = idAfter(to, next);
    if (changed.length > 0) {
      this.out.push({ event: 'task.updated', payload: { ...where, id, task: next as Task, changed } });
      if (changed.includes('status') && next.status !== undefined) {
        this.out.push({ event: 'task.status.changed', payload: { ...where, id, from: prev.status, to: next.status } });
      }
    }
    if (!top) return;
    if (!moved) {
      const subtasks = this.subtaskLists.get(next);
      if (subtasks) this.emitList(subtasks);
      return;
    }
    // A renumbered task: its subtasks came along; diff them under its new id, with no moves between lists.
    const subtasks = matchSubtasks(prev, next);
    if (!subtasks) return;
    const moves = this.moves;
    this.moves = NO_MOVES;
    this.emitList(subtasks);
    if (!subtasks.inOrder) this.place(subtasks);
    this.moves = moves;
  }

  /**
   * Step 2 for one list: `task.moved` for every item not on a longest run of
   * its old order, and for items moved in from elsewhere (or renumbered).
   */
  private place(list: ListMatch): void {
    const final = list.after;
    const position = new Map<ListItem, number>();
    for (let i = 0; i < final.length; i++) position.set(final[i]!, i);
    const current = this.replicaList(list);
    // Moved-in and renumbered items always get an event; the rest stay put if on the run.
    const stayers = current.filter((item) => position.has(item) && !this.moves.has(item));
    const run = longestIncreasingSubsequence(stayers.map((item) => position.get(item)!));
    const keep = new Set(run.map((i) => stayers[i]!));
    for (let j = 0; j < final.length; j++) {
      const item = final[j]!;
      if (keep.has(item)) continue;
      const origin = this.moves.get(item);
      const source = origin ? origin.list : list;
      const sourceItems = this.replicaList(source);
      const from = sourceItems.indexOf(item);
      sourceItems.splice(from, 1);
      const to = j === 0 ? 0 : current.indexOf(final[j - 1]!) + 1;
      current.splice(to, 0, item);
      if (!origin && from === to) continue;
      const fromId = origin ? idBefore(source, origin.item) : idAfter(list, item);
      const id = idAfter(list, item);
      this.out.push({
        event: 'task.moved',
        payload: {
          ...this.where(list),
          id,
          from: { ...parentOf(source), index: from, ...(fromId !== id ? { id: fromId } : {}) },
          to: { ...parentOf(list), index: to },
        },
      });
      if (origin) this.emitPair(origin.item, item, source, list, true);
    }
  }

  /** The list as a replica holds it after step 1 (and the moves so far); items are their versions after. */
  private replicaList(list: ListMatch): ListItem[] {
    let items = this.replicaLists.get(list);
    if (items) return items;
    items = [];
    for (const prev of list.before) {
      const next = list.nextOf.get(prev) ?? this.movedTo.get(prev);
      if (next) items.push(next);
    }
    for (const next of list.created) if (!this.moves.has(next)) items.push(next);
    this.replicaLists.set(list, items);
    return items;
  }

  private forEachPair(list: ListMatch, visit: (prev: ListItem, next: ListItem) => void): void {
    if (list.inOrder) {
      for (const i of list.changedAt) visit(list.before[i]!, list.after[i]!);
      return;
    }
    for (const [next, prev] of list.prevOf) if (prev !== next) visit(prev, next);
  }

  private where(list: ListMatch): { tag: string; parentId?: string } {
    return list.parentId === undefined ? { tag: this.tag } : { tag: this.tag, parentId: list.parentId };
  }
}

/** The subtask lists of a task's two versions, or undefined when they are the same array or both empty. */
function matchSubtasks(prev: ListItem, next: ListItem): ListMatch | undefined {
  const before = (prev as Task).subtasks ?? [];
  const after = (next as Task).subtasks ?? [];
  if (before === after || (before.length === 0 && after.length === 0)) return undefined;
  return matchList(before, after, idKey(next.id), idKey(prev.id));
}

function parentOf(list: ListMatch): { parentId?: string } {
  return list.parentId === undefined ? {} : { parentId: list.parentId };
}
