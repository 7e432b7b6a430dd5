import type { ListItem, ListMatch } from './list-match.js';

/** Where an item was before: its list and its version there. */
export interface Origin {
  list: ListMatch;
  item: ListItem;
}

/**
 * Items that left one place of a tag and turned up at another: a subtask
 * moved to another parent, a subtask promoted to a task, a task demoted to a
 * subtask, or an item renumbered in its list.
 *
 * The rule: a deleted item and a created item of the same tag are one item
 * moved when they have the same `title` and the same `description` (absent,
 * null and `""` alike), and no other deleted item and no other created item
 * of the tag has that title and description. Ambiguous pairs, and a task
 * with subtasks paired with a subtask (subtasks cannot hold subtasks), stay
 * deleted + created. Only items of lists present in both versions take part:
 * subtasks of a deleted or created task go with their task.
 *
 * Returns created item → where it came from.
 */
export function recogniseMoves(lists: readonly ListMatch[]): Map<ListItem, Origin> {
  const moves = new Map<ListItem, Origin>();
  let anyDeleted = false;
  let anyCreated = false;
  for (const list of lists) {
    anyDeleted ||= list.deleted.length > 0;
    anyCreated ||= list.created.length > 0;
  }
  if (!anyDeleted || !anyCreated) return moves;
  const gone = uniqueByKey(lists, (list) => list.deleted);
  const born = uniqueByKey(lists, (list) => list.created);
  for (const [key, target] of born) {
    const origin = gone.get(key);
    if (target && origin && levelsFit(origin, target)) moves.set(target.item, origin);
  }
  return moves;
}

/** The identity of an item for move recognition. */
function moveKey(item: ListItem): string {
  return JSON.stringify([item.title, item.description ?? '']);
}

/** Items by move key; null where the key is shared (ambiguous). */
function uniqueByKey(lists: readonly ListMatch[], items: (list: ListMatch) => readonly ListItem[]): Map<string, Origin | null> {
  const out = new Map<string, Origin | null>();
  for (const list of lists) {
    for (const item of items(list)) {
      const key = moveKey(item);
      out.set(key, out.has(key) ? null : { list, item });
    }
  }
  return out;
}

/** A task may become a subtask (or the reverse) only without subtasks of its own. */
function levelsFit(origin: Origin, target: Origin): boolean {
  const fromTop = origin.list.parentId === undefined;
  const toTop = target.list.parentId === undefined;
  if (fromTop === toTop) return true;
  const task = fromTop ? origin.item : target.item;
  return !('subtasks' in task && Array.isArray(task.subtasks) && task.subtasks.length > 0);
}
