import { jsonEqual } from './equal.js';
import { keyByOccurrence } from './ids.js';

type Fields = Record<string, unknown>;

/** The outcome of a three-way merge. */
export interface MergeResult<T> {
  /** Every non-conflicting change from both sides; conflicting fields keep `theirs`. */
  merged: T;
  /** Fields both sides changed to different values (`subtasks.3.status` for a subtask field). */
  conflicts: string[];
}

/**
 * Field-level three-way merge of a task. A field changed on one side only
 * takes that side's value; a field changed on both sides to different values
 * is a conflict. Subtasks are merged one by one, matched by id.
 */
export function mergeTask<T extends object>(base: T, mine: T, theirs: T): MergeResult<T> {
  const conflicts: string[] = [];
  const merged = mergeFields(base as Fields, mine as Fields, theirs as Fields, '', conflicts);
  return { merged: merged as T, conflicts };
}

function mergeFields(base: Fields, mine: Fields, theirs: Fields, prefix: string, conflicts: string[]): Fields {
  const out: Fields = {};
  // Theirs first keeps the file's key order; mine's new keys follow.
  const keys = new Set([...Object.keys(theirs), ...Object.keys(mine), ...Object.keys(base)]);
  for (const key of keys) {
    const b = base[key];
    const m = mine[key];
    const t = theirs[key];
    let value: unknown;
    if (jsonEqual(m, t) || jsonEqual(b, m)) value = t;
    else if (jsonEqual(b, t)) value = m;
    else if (key === 'subtasks' && !prefix && Array.isArray(b) && Array.isArray(m) && Array.isArray(t)) {
      value = mergeSubtasks(b as Fields[], m as Fields[], t as Fields[], conflicts);
    } else {
      conflicts.push(prefix + key);
      value = t;
    }
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function mergeSubtasks(base: Fields[], mine: Fields[], theirs: Fields[], conflicts: string[]): Fields[] {
  const byId = (list: Fields[]) => keyByOccurrence(list as Array<Fields & { id: string | number }>);
  const b = byId(base);
  const m = byId(mine);
  const t = byId(theirs);
  const out: Fields[] = [];
  const ids = new Set([...t.keys(), ...m.keys()]);
  for (const id of ids) {
    const bs = b.get(id);
    const ms = m.get(id);
    const ts = t.get(id);
    if (ms && ts) out.push(mergeFields(bs ?? {}, ms, ts, `subtasks.${id}.`, conflicts));
    else if (ms && !ts) {
      // Deleted by them: keep it only if they never had it (new on my side) or I changed it.
      if (!bs) out.push(ms);
      else if (!jsonEqual(bs, ms)) {
        conflicts.push(`subtasks.${id}`);
      }
    } else if (ts && !ms) {
      if (!bs) out.push(ts);
      else if (!jsonEqual(bs, ts)) {
        conflicts.push(`subtasks.${id}`);
        out.push(ts);
      }
    }
  }
  return out;
}
