import { changedPositions, type ChangedPositions } from './changed-positions.js';
import { idKey, keyByOccurrence } from './ids.js';
import type { Subtask, Task } from './task.js';

/** A task or a subtask: an item of a list. */
export type ListItem = Task | Subtask;

/**
 * One list of a tag in two versions of a file: its top-level tasks, or one
 * task's subtasks. Items are paired by id (`1` = `"1"`, repeats by
 * occurrence, see {@link keyByOccurrence}); what is left is created or deleted.
 */
export interface ListMatch {
  /** The parent's id after (`"5"`) for a subtask list; undefined for top-level tasks. */
  parentId: string | undefined;
  /** The parent's id before: differs from `parentId` only when the parent was renumbered. */
  parentIdBefore: string | undefined;
  before: readonly ListItem[];
  after: readonly ListItem[];
  /**
   * Same ids at the same places: items pair by index, and nothing was added,
   * removed or reordered. The maps below are then left empty.
   */
  inOrder: boolean;
  /** For a list in order, the places whose item changed (see {@link changedPositions}); empty otherwise. */
  changedAt: readonly number[];
  /** Item after → its version before, for items paired by id. */
  prevOf: Map<ListItem, ListItem>;
  /** Item before → its version after, for items paired by id. */
  nextOf: Map<ListItem, ListItem>;
  /** Items only after, in list order. */
  created: ListItem[];
  /** Items only before, in list order. */
  deleted: ListItem[];
}

/** The maps of a list in order: never written to. */
const NONE: Map<ListItem, ListItem> = new Map();

/** Pairs the items of one list's two versions; `positions` shares where they differ with other passes over the same change. */
export function matchList(
  before: readonly ListItem[],
  after: readonly ListItem[],
  parentId?: string,
  parentIdBefore: string | undefined = parentId,
  positions?: ChangedPositions,
): ListMatch {
  // The common case (an update; every task of a big file on a full re-parse) allocates nothing more.
  if (before.length === after.length) {
    const changedAt = positions ? positions.of(before, after) : changedPositions(before, after);
    if (sameIdsAt(before, after, changedAt)) {
      return { parentId, parentIdBefore, before, after, inOrder: true, changedAt, prevOf: NONE, nextOf: NONE, created: [], deleted: [] };
    }
  }
  const match: ListMatch = {
    parentId,
    parentIdBefore,
    before,
    after,
    inOrder: false,
    changedAt: [],
    prevOf: new Map(),
    nextOf: new Map(),
    created: [],
    deleted: [],
  };
  const old = keyByOccurrence(before);
  for (const [key, next] of keyByOccurrence(after)) {
    const prev = old.get(key);
    if (!prev) {
      match.created.push(next);
      continue;
    }
    old.delete(key);
    match.prevOf.set(next, prev);
    match.nextOf.set(prev, next);
  }
  match.deleted.push(...old.values());
  return match;
}

/** The full id of an item of `list` after (`"5"`, `"5.2"`). */
export function idAfter(list: ListMatch, item: ListItem): string {
  return list.parentId === undefined ? idKey(item.id) : `${list.parentId}.${idKey(item.id)}`;
}

/** The full id of an item of `list` before. */
export function idBefore(list: ListMatch, item: ListItem): string {
  return list.parentIdBefore === undefined ? idKey(item.id) : `${list.parentIdBefore}.${idKey(item.id)}`;
}

/** True when two lists of the same length, whose items differ only `at` these places, hold the same ids there: then items pair up by index. */
function sameIdsAt(a: readonly ListItem[], b: readonly ListItem[], at: readonly number[]): boolean {
  for (const i of at) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.id !== y.id && idKey(x.id) !== idKey(y.id)) return false;
  }
  return true;
}
