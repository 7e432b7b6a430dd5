import { deletedFullIds, withoutDependenciesOn } from './deleted-dependencies.js';
import { isJsonObject, jsonEqual } from './equal.js';
import { idKey, idLike, keyByOccurrence, nextId } from './ids.js';
import { setOwnKey } from './own-key.js';
import { TaskRenames } from './task-renames.js';
import { DEFAULT_TAG, findTag, isLegacyTasksFile, tagsOf, type TagData, type TaskId, type TasksFile } from './task.js';
import { changedTaskFields, sameTaskFieldValue } from './task-equal.js';

type Fields = Record<string, unknown>;

/** A field both sides changed: the outside writer's value was kept. */
/**
 * The field of a {@link FieldConflict} (and of a `sync.conflict` notice's
 * `fields`, `ours` and `theirs`) that stands for the whole task or subtask:
 * one side deleted it while the other changed it. `*` on the wire.
 */
export const WHOLE_ITEM = '*';

export interface FieldConflict {
  tag: string;
  /** `"5"` or `"5.2"`. */
  id: string;
  /** The field, or {@link WHOLE_ITEM} when one side deleted the task the other changed. */
  field: string;
  /** Our value that was overridden (undefined: we deleted the task or the field). */
  ours: unknown;
  /** The value kept. */
  theirs: unknown;
}

/** How {@link rebaseTasksFile} merges. */
export interface RebaseOptions {
  /**
   * Drop a dependency one side added on what the other side deleted (see
   * deleted-dependencies.ts). The server's merge of an outside write
   * asks for it: its result is a new version of this machine, which team sync
   * then sends on like any other. Team sync's own merges of the team's
   * changes into the local file do not: their result is not sent, so a
   * dependency dropped only there would set this member's file apart from
   * every other member's.
   */
  dropDependenciesOnDeleted?: boolean;
  /**
   * Whether our item under `fullId` (`"7"`, `"7.1"`) keeps its id when
   * theirs was created under it too: then theirs is renumbered instead, and
   * what theirs names it by follows it. Team sync's server answers true for
   * an item the team's log holds, which every member knows by its id.
   */
  oursKeepsId?: (tag: string, fullId: string) => boolean;
}

/** A task or subtask created on both sides under one id, and the id the side that gave way took. */
export interface Renumbered {
  tag: string;
  from: string;
  to: string;
  /** Whose item took the new id: ours, unless {@link RebaseOptions.oursKeepsId} kept ours in place. */
  side: 'ours' | 'theirs';
}

/** The outcome of {@link rebaseTasksFile}. */
export interface RebaseResult {
  merged: TasksFile;
  conflicts: FieldConflict[];
  /** Items created on both sides under one id, and the ids the side that gave way took instead. */
  renumbered: Renumbered[];
}

/**
 * Three-way merge of whole tasks files: `theirs` was written by an outside
 * writer from the stale version `base`, while `ours` (base plus our commits)
 * was current. Task Master and whole-file editors do exactly that: they read
 * a tag, and write the whole tag back later. The result keeps both sides'
 * changes, per tag, task, subtask and field:
 *
 * - a field changed on one side takes that side's value; changed on both to
 *   different values, the outside writer's (it wrote last), listed in `conflicts`;
 * - a task created on either side is kept; created on both with the same id,
 *   theirs keeps the id and ours is renumbered (the next free id), and what
 *   ours names it by (a dependency on it, its subtasks' `parentTaskId`)
 *   follows it (the other way round where `oursKeepsId` says so);
 * - a task deleted on one side is deleted, unless the other side changed it:
 *   then the outside writer's choice stands (listed in `conflicts` as `*`);
 *   with `dropDependenciesOnDeleted`, the other side's dependencies on it go
 *   with it, as a delete's own do;
 * - order: theirs, with our new tasks after their predecessor in ours.
 *
 * Ids compare by value (`1` and `"1"` are one task), as do dependencies.
 */
export function rebaseTasksFile(base: TasksFile, ours: TasksFile, theirs: TasksFile, options: RebaseOptions = {}): RebaseResult {
  const merged = mergeFiles(base, ours, theirs, options);
  if (merged.renumbered.length === 0) return merged;
  // Each side named its renumbered tasks by their old ids, which are the other side's tasks in the merge:
  // it is read with those references renamed (ids left alone) and merged again, which renumbers the same
  // tasks the same way (ids and order are as before). Should it not (a reference was all that told two
  // tasks apart), the first merge stands, its references as they were.
  const again = mergeFiles(base, withReferencesRenamed(ours, merged.renumbered, 'ours'), withReferencesRenamed(theirs, merged.renumbered, 'theirs'), options);
  return jsonEqual(again.renumbered, merged.renumbered) ? again : merged;
}

/** `file`, one side of a merge, with its references to its renumbered items renamed (see {@link TaskRenames.referencesIn}). */
function withReferencesRenamed(file: TasksFile, renumbered: readonly Renumbered[], side: Renumbered['side']): TasksFile {
  const own = renumbered.filter((r) => r.side === side);
  if (own.length === 0) return file;
  const renames = new TaskRenames();
  for (const r of own) renames.set(r.tag, r.from, r.to);
  if (isLegacyTasksFile(file)) return { ...file, tasks: renames.referencesIn(DEFAULT_TAG, file.tasks) } as TasksFile;
  const tags: Record<string, TagData> = { ...tagsOf(file) };
  for (const tag of new Set(own.map((r) => r.tag))) {
    const data = findTag(tags, tag);
    if (data) setOwnKey(tags, tag, { ...data, tasks: renames.referencesIn(tag, data.tasks) as TagData['tasks'] });
  }
  return tags as TasksFile;
}

/** What one merge collects as it goes, with its options. */
interface MergeContext {
  conflicts: FieldConflict[];
  renumbered: Renumbered[];
  options: RebaseOptions;
}

/** {@link rebaseTasksFile} in one pass: references to a renumbered task are left as they were. */
function mergeFiles(base: TasksFile, ours: TasksFile, theirs: TasksFile, options: RebaseOptions): RebaseResult {
  const ctx: MergeContext = { conflicts: [], renumbered: [], options };
  const { conflicts, renumbered } = ctx;
  // A legacy (untagged) file on every side merges as its one tag; otherwise as tags.
  if (isLegacyTasksFile(theirs) && isLegacyTasksFile(ours) && isLegacyTasksFile(base)) {
    return { merged: mergeTag(DEFAULT_TAG, base, ours, theirs, ctx), conflicts, renumbered };
  }
  const b = tagsOf(base);
  const o = tagsOf(ours);
  const t = tagsOf(theirs);
  const merged: Record<string, TagData> = {};
  const put = (tag: string, data: TagData) => setOwnKey(merged, tag, data);
  const names = unique([...Object.keys(t), ...Object.keys(o)]);
  for (const tag of names) {
    const bt = findTag(b, tag);
    const ot = findTag(o, tag);
    const tt = findTag(t, tag);
    if (ot && tt) put(tag, mergeTag(tag, bt ?? { tasks: [] }, ot, tt, ctx));
    else if (tt) {
      // We deleted the tag (or never had it): theirs stands unless it is the base we deleted.
      if (!bt || !jsonEqual(bt, tt)) put(tag, tt);
    } else if (ot) {
      // They deleted the tag: gone, unless it is new on our side.
      if (!bt) put(tag, ot);
      else if (!jsonEqual(bt, ot)) conflicts.push({ tag, id: '*', field: WHOLE_ITEM, ours: ot, theirs: undefined });
    }
  }
  return { merged: merged as TasksFile, conflicts, renumbered };
}

/**
 * How far apart two versions are, as {@link versionDistance} measures it:
 * `fields` that differ, of which `dropped` are the older version's fields
 * (or whole tasks) the newer one no longer has.
 */
export interface VersionDistance {
  fields: number;
  dropped: number;
}

/**
 * How far `theirs` is from `candidate`: the number of task and subtask fields
 * that differ (a task present on one side only counts its fields), with ids
 * compared by value. Used to find the version an outside write was made from:
 * the recent version it differs from least. An item under one id that is
 * another item counts its fields on both sides: two writers that each add
 * subtask 1 to a task (or task 21 to a tag) make two items under one id, and
 * their base is the version before both, not the one with the other item.
 * Another item: a subtask with another title (subtasks made with a title
 * only differ in nothing else), a task with another title and description
 * (an edit of a task's title alone stays one field).
 */
export function versionDistance(candidate: TasksFile, theirs: TasksFile): VersionDistance {
  const d: VersionDistance = { fields: 0, dropped: 0 };
  if (candidate === theirs) return d;
  const ta = tagsOf(candidate);
  const tb = tagsOf(theirs);
  for (const tag of unique([...Object.keys(ta), ...Object.keys(tb)])) {
    listDistance(findTag(ta, tag)?.tasks ?? [], findTag(tb, tag)?.tasks ?? [], d, false);
  }
  return d;
}

/**
 * Whether `a` is nearer than `b`: fewer fields apart, or as many of which
 * fewer dropped — of two readings, the one where the outside writer removed
 * less (writers add and change far more often than they remove).
 */
export function nearer(a: VersionDistance, b: VersionDistance): boolean {
  return a.fields < b.fields || (a.fields === b.fields && a.dropped < b.dropped);
}

function listDistance(a: readonly unknown[], b: readonly unknown[], d: VersionDistance, subtasks: boolean): void {
  if (a === b) return;
  const ka = keyByOccurrence(a as Array<Fields & { id: string | number }>);
  const kb = keyByOccurrence(b as Array<Fields & { id: string | number }>);
  for (const [key, x] of ka) {
    const y = kb.get(key);
    if (!y) {
      d.fields += Object.keys(x).length;
      d.dropped += Object.keys(x).length;
    } else if (x !== y) itemDistance(x, y, d, subtasks);
  }
  for (const [key, y] of kb) if (!ka.has(key)) d.fields += Object.keys(y).length;
}

function itemDistance(a: Fields, b: Fields, d: VersionDistance, subtask: boolean): void {
  if (isAnotherItem(a, b, subtask)) {
    d.fields += Object.keys(a).length + Object.keys(b).length;
    d.dropped += Object.keys(a).length;
    return;
  }
  if (Array.isArray(a.subtasks) && Array.isArray(b.subtasks)) listDistance(a.subtasks, b.subtasks, d, true);
  else if (!sameField('subtasks', a.subtasks, b.subtasks)) d.fields++;
  for (const field of changedTaskFields(a, b, SUBTASKS)) {
    d.fields++;
    if (!Object.prototype.hasOwnProperty.call(b, field)) d.dropped++;
  }
}

/**
 * True when `b`, found under the id of `a`, is another task (or subtask) than
 * `a`: another title (a task: and another description). Two writers that each
 * add subtask 1 to a task, or task 21 to a tag, make two items under one id.
 */
export function isAnotherItem(a: Fields, b: Fields, subtask: boolean): boolean {
  if (typeof a.title !== 'string' || typeof b.title !== 'string' || a.title === b.title) return false;
  return subtask || (typeof a.description === 'string' && typeof b.description === 'string' && a.description !== b.description);
}

function mergeTag(
  tag: string,
  base: TagData,
  ours: TagData,
  theirs: TagData,
  ctx: MergeContext,
): TagData {
  if (ours === theirs) return theirs;
  if (jsonEqual(ours, base)) return theirs;
  if (jsonEqual(theirs, base)) return ours;
  const out: Fields = {};
  for (const key of unique([...Object.keys(theirs), ...Object.keys(ours)])) {
    const bv = (base as Fields)[key];
    const ov = (ours as Fields)[key];
    const tv = (theirs as Fields)[key];
    let value: unknown;
    if (key === 'tasks') value = mergeList(tag, undefined, base.tasks, ours.tasks, theirs.tasks, ctx);
    else if (jsonEqual(ov, tv) || jsonEqual(bv, ov)) value = tv;
    else if (jsonEqual(bv, tv)) value = ov;
    else if (isJsonObject(ov) && isJsonObject(tv)) value = mergeObject(isJsonObject(bv) ? bv : {}, ov, tv);
    else value = tv; // tag-level fields (metadata.updated…) are bookkeeping: theirs, not a conflict worth reporting
    if (value !== undefined) out[key] = value;
  }
  if (ctx.options.dropDependenciesOnDeleted && Array.isArray(out.tasks)) out.tasks = withoutDependenciesOn(deletedFullIds([base.tasks], out.tasks), out.tasks);
  return out as TagData;
}

/** Field-wise merge of bookkeeping objects (tag metadata): theirs wins where both changed. */
function mergeObject(base: Fields, ours: Fields, theirs: Fields): Fields {
  const out: Fields = {};
  for (const key of unique([...Object.keys(theirs), ...Object.keys(ours)])) {
    const value = jsonEqual(base[key], theirs[key]) ? ours[key] : theirs[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Merges a list of tasks (or of one task's subtasks), matched by id value. */
function mergeList(
  tag: string,
  parentId: string | undefined,
  base: readonly unknown[] | undefined,
  ours: readonly unknown[],
  theirs: readonly unknown[],
  ctx: MergeContext,
): unknown[] {
  const { conflicts, renumbered } = ctx;
  const b = keyByOccurrence((base ?? []) as Array<Fields & { id: string | number }>);
  const o = keyByOccurrence(ours as Array<Fields & { id: string | number }>);
  const t = keyByOccurrence(theirs as Array<Fields & { id: string | number }>);
  const fullId = (key: string) => (parentId === undefined ? key : `${parentId}.${key}`).replace(/#\d+$/, '');
  const out: Array<{ key: string; item: Fields }> = [];
  /** New items to place, ours and the ones of theirs that gave way to ours (see {@link RebaseOptions.oursKeepsId}). */
  const placing: Array<{ after: string | undefined; item: Fields; side: Renumbered['side'] }> = [];

  for (const [key, ti] of t) {
    const bi = b.get(key);
    const oi = o.get(key);
    if (oi && bi) out.push({ key, item: mergeItem(tag, fullId(key), bi, oi, ti, ctx) });
    else if (oi && !sameItem(oi, ti)) {
      // Both sides created this id: theirs keeps it (or ours, if so asked), the other is renumbered below and follows it.
      const oursStays = ctx.options.oursKeepsId?.(tag, fullId(key)) ?? false;
      out.push({ key, item: oursStays ? oi : ti });
      placing.push(oursStays ? { after: key, item: ti, side: 'theirs' } : { after: key, item: oi, side: 'ours' });
    } else if (!oi && bi) {
      // We deleted it: it stays deleted unless they changed it.
      if (sameItem(bi, ti)) continue;
      conflicts.push({ tag, id: fullId(key), field: WHOLE_ITEM, ours: undefined, theirs: ti });
      out.push({ key, item: ti });
    } else out.push({ key, item: ti });
  }
  for (const [key, oi] of o) {
    if (t.has(key)) continue;
    const bi = b.get(key);
    if (!bi) placing.push({ after: previousKey(o, key), item: oi, side: 'ours' });
    // They deleted it: deleted, unless we changed it — then their delete still wins, and is reported.
    else if (!sameItem(bi, oi)) conflicts.push({ tag, id: fullId(key), field: WHOLE_ITEM, ours: oi, theirs: undefined });
  }
  for (const { after, item, side } of placing) {
    let placed = item;
    if (out.some((e) => sameField('id', e.item.id, item.id))) {
      const to = nextId(out.map((e) => e.item) as Array<{ id: string | number }>);
      placed = { ...item, id: idLike(item.id as string | number, String(to)) };
      renumbered.push({ tag, from: fullId(idKey(item.id as string | number)), to: fullId(String(to)), side });
    }
    // After its predecessor in ours (and new items already put there); first if it was first; last if they deleted the predecessor.
    const at = after === undefined ? -1 : out.findIndex((e) => e.key === after);
    let index = after === undefined ? 0 : at < 0 ? out.length : at + 1;
    while (out[index]?.key.startsWith('new:')) index++;
    out.splice(index, 0, { key: `new:${idKey(placed.id as string | number)}`, item: placed });
  }
  return out.map((e) => e.item);
}

function previousKey(items: Map<string, unknown>, key: string): string | undefined {
  let previous: string | undefined;
  for (const k of items.keys()) {
    if (k === key) return previous;
    previous = k;
  }
  return undefined;
}

/** Field-wise merge of one task or subtask; subtasks merge as a list. */
function mergeItem(tag: string, id: string, base: Fields, ours: Fields, theirs: Fields, ctx: MergeContext): Fields {
  if (ours === theirs || sameItem(ours, base)) return theirs;
  if (sameItem(theirs, base)) return ours;
  const out: Fields = {};
  for (const key of unique([...Object.keys(theirs), ...Object.keys(ours)])) {
    const bv = base[key];
    const ov = ours[key];
    const tv = theirs[key];
    let value: unknown;
    if (sameField(key, ov, tv) || sameField(key, bv, ov)) value = tv;
    else if (sameField(key, bv, tv)) value = ov;
    else if (key === 'subtasks' && Array.isArray(ov) && Array.isArray(tv)) {
      value = mergeList(tag, id, Array.isArray(bv) ? bv : [], ov, tv, ctx);
    } else {
      ctx.conflicts.push({ tag, id, field: key, ours: ov, theirs: tv });
      value = tv;
    }
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** True when two versions of a task (or subtask) differ at most in how ids are written. */
export function sameTask(a: object, b: object): boolean {
  return sameItem(a as Fields, b as Fields);
}

/** Two versions of a task that differ at most in how ids are written (subtasks in the same order). */
function sameItem(a: Fields, b: Fields): boolean {
  return a === b || (changedTaskFields(a, b, SUBTASKS).length === 0 && sameField('subtasks', a.subtasks, b.subtasks));
}

/** Field equality by meaning ({@link sameTaskFieldValue}: ids as ids, Task Master's rewrites ignored); subtasks item by item. */
function sameField(key: string, a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (key === 'subtasks' && Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((s, i) => isJsonObject(s) && isJsonObject(b[i]) && sameItem(s, b[i] as Fields));
  }
  return sameTaskFieldValue(key, a, b);
}

const SUBTASKS = ['subtasks'];

function unique(keys: string[]): string[] {
  return [...new Set(keys)];
}
