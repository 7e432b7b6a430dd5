import {
  applyTaskChange,
  DEFAULT_TAG,
  deletedFullIds,
  diffTasksFiles,
  findTag,
  fullIdsOf,
  hasTag,
  findTask,
  idKey,
  isLegacyTasksFile,
  jsonEqual,
  mergeTask,
  sameTask,
  setOwnKey,
  tagsOf,
  TaskRenames,
  withoutDependenciesOn,
  WHOLE_ITEM,
  type FieldConflict,
  type TagData,
  type Task,
  type TaskChange,
  type TasksFile,
  type TeamOp,
  type TeamTagOp,
  type TeamTaskOp,
} from '@taskmaster/protocol';
import { IdRenames } from './id-renames.js';

/**
 * The operations that travel for one local version, `before` to `after`:
 * the tags `after` adds (with their metadata), the server's task events (one
 * diff, made once by the server) with, for updates and deletes, the item as
 * it was in `before`, and the tags `after` deletes, in that order — a tag
 * renamed is the new name added, its tasks deleted under the old name and
 * created under the new, the old name deleted. `task.status.changed` is left
 * out: the `task.updated` it always follows carries the status already.
 */
export function teamOpsOf(before: TasksFile, after: TasksFile, changes: readonly TaskChange[]): TeamOp[] {
  const tagged = !isLegacyTasksFile(before) && !isLegacyTasksFile(after);
  const ops: TeamOp[] = [];
  if (tagged) {
    for (const tag of Object.keys(after)) if (!hasTag(before, tag)) ops.push({ tagAdded: tag, fields: fieldsOf(after, tag) });
  }
  for (const change of changes) {
    if (change.event === 'task.status.changed') continue;
    if (change.event === 'task.updated' || change.event === 'task.deleted') {
      const base = itemIn(before, change.payload.tag, change.payload.id);
      ops.push(base ? { change, base: base as Record<string, unknown> } : { change });
    } else ops.push({ change });
  }
  if (tagged) {
    for (const tag of Object.keys(before)) if (!hasTag(after, tag)) ops.push({ tagDeleted: tag });
  }
  return ops;
}

/** True for an operation on a task, false for one on a tag. */
export function isTaskOp(op: TeamOp): op is TeamTaskOp {
  return 'change' in op;
}

/** True for an operation on a tag. */
export function isTagOp(op: TeamOp): op is TeamTagOp {
  return !('change' in op);
}

/**
 * Applies `ops` to `file` in place, in order, as the team log orders them: a
 * `task.updated` changes only the fields it changed since its base
 * (`mergeTask`: a field changed both since the base and by the op takes the
 * op's value — the later sequence wins — and is listed in `conflicts` with the
 * value it overrode); every other event applies as a replica applies it
 * (`applyTaskChange`). The later op wins between a delete and an update made
 * without seeing each other too, listed in `conflicts` as the field `*`: an
 * update of an item `file` no longer holds brings it back (`ours`
 * undefined), and a delete of an item changed since its base (the version
 * the deleter saw) drops that change (`theirs` undefined). A task created
 * under an id `file` holds for another task gets the next free one, and the
 * ops after it read it so (see {@link IdRenames}: one per row of the log, or
 * one for a whole outbox, whose entries were made one after another). `file`
 * must be a plain mutable object. Returns the ops as applied: `ops`' own
 * objects where no id changed.
 */
export function applyTeamOps(file: TasksFile, ops: readonly TeamOp[], conflicts?: FieldConflict[], renames = new IdRenames()): TeamOp[] {
  const applied: TeamOp[] = [];
  for (const written of ops) {
    const op = renames.place(file, written);
    applied.push(op);
    if (isTagOp(op)) {
      applyTagOp(file, op);
      continue;
    }
    const change = op.change;
    // What this op was made from, and what `file` holds instead: for an update or a delete.
    const current = op.base && (change.event === 'task.updated' || change.event === 'task.deleted') ? itemIn(file, change.payload.tag, change.payload.id) : undefined;
    if (change.event === 'task.deleted' && op.base && current && conflicts && !sameTask(op.base, current)) {
      conflicts.push({ tag: change.payload.tag, id: change.payload.id, field: WHOLE_ITEM, ours: current, theirs: undefined });
    }
    if (change.event === 'task.updated' && op.base) {
      if (!current && conflicts) conflicts.push({ tag: change.payload.tag, id: change.payload.id, field: WHOLE_ITEM, ours: undefined, theirs: change.payload.task });
      if (current) {
        const { merged, conflicts: fields } = mergeTask(op.base, current as Record<string, unknown>, change.payload.task as Record<string, unknown>);
        if (conflicts) {
          for (const field of fields) {
            if (field.startsWith('subtasks')) continue;
            const ours = (current as Record<string, unknown>)[field];
            const theirs = (merged as Record<string, unknown>)[field];
            if (!jsonEqual(ours, theirs)) conflicts.push({ tag: change.payload.tag, id: change.payload.id, field, ours, theirs });
          }
        }
        applyTaskChange(file, { event: 'task.updated', payload: { ...change.payload, task: merged as typeof change.payload.task } });
        continue;
      }
    }
    applyTaskChange(file, change);
  }
  return applied;
}

/** A task or subtask a `task.move` gave a new id (Task Master's `move --from=5 --to=7`): its tag, old and new full ids. */
export interface Renumbering {
  tag: string;
  from: string;
  to: string;
}

/** The renumberings among `ops`: each `task.moved` that names the id its item had before. */
export function renumberingsOf(ops: readonly TeamOp[]): Renumbering[] {
  const out: Renumbering[] = [];
  for (const op of ops) {
    if (!isTaskOp(op) || op.change.event !== 'task.moved') continue;
    const { tag, id, from } = op.change.payload;
    if (from.id !== undefined && from.id !== id) out.push({ tag, from: from.id, to: id });
  }
  return out;
}

/**
 * The `task.updated` operations that mend, in `file`, each dependency on a
 * task or subtask one of `known` holds and `file` lacks: one the team
 * deleted or renumbered while a change of ours added a dependency on it, or
 * the other way round. A dependency on an item `renumbered` moved follows it
 * to its new id; one on an item deleted is dropped (see protocol's
 * deleted-dependencies.ts). A pull makes them on top of the changes it has
 * yet to push, and they go to the log with those, so every member mends it
 * alike instead of each keeping a dependency that names nothing. The caller
 * applies them (with {@link applyTeamOps}).
 */
export function dependencyFixesOf(file: TasksFile, known: readonly TasksFile[], renumbered: readonly Renumbering[] = []): TeamOp[] {
  const mended: Record<string, TagData> = { ...tagsOf(file) };
  let changed = false;
  for (const [tag, tagData] of Object.entries(tagsOf(file))) {
    const tasks = tagData.tasks;
    if (!Array.isArray(tasks)) continue;
    const ids = fullIdsOf(tasks);
    const moves = new TaskRenames();
    for (const r of renumbered) if (r.tag === tag && !ids.has(r.from) && ids.has(r.to)) moves.set(tag, r.from, r.to);
    const followed = moves.size > 0 ? (moves.referencesIn(tag, tasks) as Task[]) : tasks;
    const fixed = withoutDependenciesOn(deletedFullIds(known.map((k) => findTag(k, tag)?.tasks ?? []), tasks), followed);
    if (fixed === tasks) continue;
    setOwnKey(mended, tag, { ...tagData, tasks: [...fixed] });
    changed = true;
  }
  if (!changed) return [];
  // The ops of that version, as the server tells any: a task's own fields by its event, each subtask's by its own.
  const after = (isLegacyTasksFile(file) ? mended[DEFAULT_TAG] : mended) as TasksFile;
  return teamOpsOf(file, after, diffTasksFiles(file, after));
}

/**
 * A tag added where the file lacks it (empty, with its metadata: its tasks
 * come by their own operations; one added meanwhile here is kept as it is),
 * or deleted with what it holds. A legacy untagged file has no tags to change.
 */
function applyTagOp(file: TasksFile, op: TeamTagOp): void {
  if (isLegacyTasksFile(file)) return;
  if ('tagAdded' in op) {
    if (!hasTag(file, op.tagAdded)) setOwnKey(file, op.tagAdded, { tasks: [], ...withoutTasks(op.fields ?? {}) });
  } else if (hasTag(file, op.tagDeleted)) delete (file as Record<string, unknown>)[op.tagDeleted];
}

/**
 * `file` with its tags in the order of `local`, the file it replaces (new
 * tags after, as `file` has them), except that the tags `team` holds take
 * their places in `team`'s order. A pull's result lists the team's tags in
 * the team's order (its log's), not in the order this machine happened to
 * add them, so two members that each added a tag list both alike once each
 * has the other's; a tag of this machine's own (a broken one) stays where it is.
 */
export function withTagOrderOf(file: TasksFile, local: TasksFile, team: TasksFile): TasksFile {
  if (isLegacyTasksFile(file) || isLegacyTasksFile(local) || isLegacyTasksFile(team)) return file;
  const places = [...Object.keys(local).filter((tag) => hasTag(file, tag)), ...Object.keys(file).filter((tag) => !hasTag(local, tag))];
  const shared = Object.keys(team).filter((tag) => hasTag(file, tag));
  const isShared = new Set(shared);
  const order = places.map((tag) => (isShared.has(tag) ? shared.shift()! : tag));
  const now = Object.keys(file);
  if (order.every((tag, i) => tag === now[i])) return file;
  const out: Record<string, unknown> = {};
  for (const tag of order) setOwnKey(out, tag, (file as Record<string, unknown>)[tag]);
  return out as TasksFile;
}

/** The tag's fields but its tasks, copied (the metadata Task Master keeps beside them). */
function fieldsOf(file: TasksFile, tag: string): Record<string, unknown> {
  return structuredClone(withoutTasks((file as Record<string, Record<string, unknown>>)[tag]!));
}

function withoutTasks(fields: Record<string, unknown>): Record<string, unknown> {
  const { tasks: _tasks, ...rest } = fields;
  return rest;
}

/** The task or subtask `id` (`"5"` or `"5.2"`) of `tag`, or undefined. */
function itemIn(file: TasksFile, tag: string, id: string): object | undefined {
  const tagData = findTag(file, tag);
  return tagData ? findTask(tagData, id)?.task : undefined;
}
