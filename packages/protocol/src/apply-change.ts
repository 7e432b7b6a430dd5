import { assertNever } from './assert-never.js';
import type { EventPayload, TaskChange } from './events.js';
import { idKey, idLike, parseTaskRef } from './ids.js';
import { setOwnKey } from './own-key.js';
import { findTag, isLegacyTasksFile, type Subtask, type TagData, type Task, type TasksFile } from './task.js';

type ListItem = Task | Subtask;

/**
 * Applies one task event to `file`, in place: the one way a replica follows
 * the server. The inverse of `diffTasksFiles`: applying its events in order
 * to a copy of `before` yields `after` (ids as `before` wrote them — a flip
 * of representation is not an event). `file` must be a plain, mutable object
 * (not frozen, not a draft); what it takes from a payload it copies, so
 * payloads are never changed or shared.
 *
 * - `task.created` appends the task to its list (a tag's tasks, or its
 *   parent's subtasks), creating the tag if needed; an item with that id
 *   already there is replaced instead, so a repeated event does no harm.
 * - `task.updated` replaces the item's fields with the payload's. A task
 *   keeps its own subtasks: the diff reports subtask changes as their own
 *   events. An item not found is added as by `task.created`.
 * - `task.deleted` removes the item; `task.status.changed` sets its status.
 * - `task.moved` takes the item out of `from`'s list (at `from.index`, or
 *   wherever its id is) and puts it in `to`'s at `to.index`, renumbered to
 *   `id` (a number if its id was a number), subtasks included.
 *
 * Tag names are own keys only (`findTag`); a new tag is defined, never
 * assigned, so `__proto__` is a tag like any other. A legacy untagged file
 * holds only `master`: events of other tags are not applied to it.
 *
 * Returns true when the event was applied, false when what it names is not
 * there (an event seen twice, or one from before a snapshot the file holds).
 */
export function applyTaskChange(file: TasksFile, change: TaskChange): boolean {
  const p = change.payload;
  if (typeof p?.tag !== 'string' || typeof p.id !== 'string') return false;
  switch (change.event) {
    case 'task.created':
    case 'task.updated': {
      const place = locate(file, p.tag, p.id, change.payload.parentId, true);
      if (!place) return false;
      const { list, index } = place;
      const task = change.payload.task;
      if (index < 0) list.push(structuredClone(task));
      else list[index] = change.event === 'task.updated' && place.top ? withOwnSubtasks(task, list[index]!) : structuredClone(task);
      return true;
    }
    case 'task.deleted': {
      const place = locate(file, p.tag, p.id, change.payload.parentId, false);
      if (!place || place.index < 0) return false;
      place.list.splice(place.index, 1);
      return true;
    }
    case 'task.status.changed': {
      const place = locate(file, p.tag, p.id, change.payload.parentId, false);
      if (!place || place.index < 0) return false;
      place.list[place.index]!.status = change.payload.to;
      return true;
    }
    case 'task.moved':
      return move(file, change.payload);
    default:
      return assertNever(change, 'task event');
  }
}

type UpdatedPayload = EventPayload<'task.updated'>;
type PatchedPayload = EventPayload<'task.patched'>;

/**
 * The `task.patched` form of a `task.updated` (see the event table): the
 * values of its changed fields, and the changed fields its task no longer has.
 */
export function taskPatchOf(payload: UpdatedPayload): PatchedPayload {
  const { task, changed, ...where } = payload;
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  for (const field of changed) {
    if (Object.prototype.hasOwnProperty.call(task, field)) setOwnKey(set, field, (task as Record<string, unknown>)[field]);
    else unset.push(field);
  }
  return { ...where, set, unset };
}

/**
 * The `task.updated` a `task.patched` stands for, made from the item as
 * `file` holds it (a copy; `file` is not changed), or undefined when `file`
 * holds no such item (then there is nothing to patch: an event from before
 * a snapshot `file` holds). Fields keep their places; new ones go last.
 */
export function expandTaskPatch(file: TasksFile, payload: PatchedPayload): UpdatedPayload | undefined {
  if (typeof payload?.tag !== 'string' || typeof payload.id !== 'string') return undefined;
  const place = locate(file, payload.tag, payload.id, payload.parentId, false);
  if (!place || place.index < 0) return undefined;
  const task = structuredClone(place.list[place.index]!) as Record<string, unknown>;
  for (const field of Object.keys(payload.set)) setOwnKey(task, field, structuredClone(payload.set[field]));
  for (const field of payload.unset) delete task[field];
  const { set, unset, ...where } = payload;
  return { ...where, task: task as Task, changed: [...Object.keys(set), ...unset] };
}


type MovedPayload = Extract<TaskChange, { event: 'task.moved' }>['payload'];

function move(file: TasksFile, p: MovedPayload): boolean {
  const tagData = findTag(file, p.tag);
  if (!tagData) return false;
  const toParent = p.to.parentId ?? p.parentId;
  const fromParent = p.from.parentId;
  const oldId = localId(p.from.id ?? p.id, fromParent);
  const newId = localId(p.id, toParent);
  const source = listIn(tagData, fromParent, false);
  const target = listIn(tagData, toParent, true);
  if (!source || !target) return false;
  const at = source[p.from.index];
  const index = at && idKey(at.id) === oldId ? p.from.index : source.findIndex((t) => idKey(t.id) === oldId);
  if (index < 0) return false;
  const [item] = source.splice(index, 1);
  if (idKey(item!.id) !== newId) item!.id = idLike(item!.id, newId);
  target.splice(Math.min(p.to.index, target.length), 0, item!);
  return true;
}

/** The list an event's item belongs in, and its index there (-1 when absent). */
function locate(
  file: TasksFile,
  tag: string,
  id: string,
  parentId: string | undefined,
  create: boolean,
): { list: ListItem[]; index: number; top: boolean } | undefined {
  const parent = parentId ?? (parseTaskRef(id)?.subtaskId !== undefined ? parseTaskRef(id)!.taskId : undefined);
  const tagData = create ? tagCreated(file, tag) : findTag(file, tag);
  const list = tagData && listIn(tagData, parent, create);
  if (!list) return undefined;
  const key = localId(id, parent);
  return { list, index: list.findIndex((t) => idKey(t.id) === key), top: parent === undefined };
}

/** A tag's top-level tasks, or the subtasks of its task `parentId` (created empty when `create`). */
function listIn(tagData: TagData, parentId: string | undefined, create: boolean): ListItem[] | undefined {
  if (parentId === undefined) return tagData.tasks;
  const parent = tagData.tasks.find((t) => idKey(t.id) === parentId);
  if (!parent) return undefined;
  if (!parent.subtasks && create) parent.subtasks = [];
  return parent.subtasks;
}

/**
 * Makes `file`'s tags `tags` (a `file.changed` that names them), in place and
 * in that order: a tag not named goes with its tasks, a named one it lacks
 * comes empty (its tasks, if any, come by their own events). A legacy
 * untagged file is left alone. Returns true when anything changed.
 */
export function applyTagNames(file: TasksFile, tags: readonly string[]): boolean {
  if (isLegacyTasksFile(file)) return false;
  const held = Object.keys(file);
  if (held.length === tags.length && held.every((tag, i) => tag === tags[i])) return false;
  const kept = new Map(held.map((tag) => [tag, (file as Record<string, TagData>)[tag]!] as const));
  for (const tag of held) delete (file as Record<string, unknown>)[tag];
  for (const tag of tags) setOwnKey(file, tag, kept.get(tag) ?? { tasks: [] });
  return true;
}

/** The id within its list: `"5.2"` under parent `5` → `"2"`. */
function localId(id: string, parentId: string | undefined): string {
  if (parentId === undefined) return idKey(id);
  const prefix = `${parentId}.`;
  return idKey(id.startsWith(prefix) ? id.slice(prefix.length) : (parseTaskRef(id)?.subtaskId ?? id));
}

/** The tag, created empty if missing (not in a legacy file, which holds only `master`). */
function tagCreated(file: TasksFile, tag: string): TagData | undefined {
  const existing = findTag(file, tag);
  if (existing || isLegacyTasksFile(file)) return existing;
  const tagData: TagData = { tasks: [] };
  setOwnKey(file, tag, tagData);
  return tagData;
}

/**
 * A copy of an updated task that keeps `current`'s subtasks: they change
 * only by their own events. Where the task has none yet but the payload
 * lists some, the list starts empty and those events fill it.
 */
function withOwnSubtasks(task: Task, current: ListItem): Task {
  // The payload's subtasks are never copied (a large task's are most of its bytes); the key keeps its place.
  const copy = structuredClone(Object.prototype.hasOwnProperty.call(task, 'subtasks') ? { ...task, subtasks: [] } : task);
  const kept = (current as Task).subtasks;
  if (kept && kept.length > 0) copy.subtasks = kept;
  return copy;
}
