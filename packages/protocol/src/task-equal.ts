import { jsonEqual } from './equal.js';
import { idKey, sameDependencies } from './ids.js';
import type { TaskId } from './task.js';

/**
 * When two values of one task field mean the same (undefined: the field is
 * absent). Task Master rewrites every task of a tag on each save
 * (`normalizeTaskIds` in 0.43): ids as strings, subtask ids as numbers,
 * dependencies as strings or `"5.2"`, a missing dependency list as `[]`, a
 * subtask's missing `parentId` as `"undefined"` (`String(undefined)`). None
 * of that is a change, so: ids (`id`, a subtask's `parentId`) compare as ids
 * (`1` = `"1"`; absent = `"undefined"`), `dependencies` as references
 * ({@link sameDependencies}; absent = `[]`), every other field as JSON.
 * `parentBefore`/`parentAfter` are the ids of the parents of the subtask
 * versions compared (undefined for top-level tasks).
 */
export function sameTaskFieldValue(field: string, a: unknown, b: unknown, parentBefore?: string, parentAfter?: string): boolean {
  if (a === b) return true;
  if (field === 'id' || field === 'parentId') {
    const x = field === 'parentId' && a === 'undefined' ? undefined : a;
    const y = field === 'parentId' && b === 'undefined' ? undefined : b;
    if (x === y) return true;
    return isTaskId(x) && isTaskId(y) ? idKey(x) === idKey(y) : jsonEqual(x, y);
  }
  if (field === 'dependencies') {
    const x = a ?? NO_DEPENDENCIES;
    const y = b ?? NO_DEPENDENCIES;
    if (Array.isArray(x) && Array.isArray(y) && x.every(isTaskId) && y.every(isTaskId)) {
      return sameDependencies(x, y, parentBefore, parentAfter);
    }
  }
  return jsonEqual(a, b);
}

const NO_DEPENDENCIES: readonly TaskId[] = [];

/**
 * The top-level fields of a task or subtask whose meaning differs between
 * two versions (see {@link sameTaskFieldValue}), minus `ignore`. A field
 * present on one side only counts as changed unless its absence means the
 * same (`dependencies: []`, `parentId: "undefined"`).
 */
export function changedTaskFields(
  before: object,
  after: object,
  ignore: readonly string[] = [],
  parentBefore?: string,
  parentAfter?: string,
): string[] {
  const x = before as Record<string, unknown>;
  const y = after as Record<string, unknown>;
  // Runs for every changed task on every commit: plain loops, no intermediate arrays.
  const out: string[] = [];
  for (const k of Object.keys(x)) {
    if (!ignore.includes(k) && !sameTaskFieldValue(k, x[k], y[k], parentBefore, parentAfter)) out.push(k);
  }
  for (const k of Object.keys(y)) {
    if (!Object.prototype.hasOwnProperty.call(x, k) && !ignore.includes(k) && !sameTaskFieldValue(k, undefined, y[k], parentBefore, parentAfter)) {
      out.push(k);
    }
  }
  return out;
}

function isTaskId(value: unknown): value is TaskId {
  return typeof value === 'number' || typeof value === 'string';
}
