import { findTag, findTask, idKey, isJsonObject, jsonEqual, nextId, TaskRenames, type TasksFile, type TeamOp, type TeamTaskOp } from '@taskmaster/protocol';

/**
 * The new ids of tasks (and subtasks) that a run of operations created
 * under ids another member had taken meanwhile. Task Master numbers tasks
 * max + 1, so two machines that each add a task between two pulls both make
 * task 4: the one later in the team's order becomes the next free id (5),
 * and every later operation of the same run that names it — its update, a
 * dependency on it, its subtasks, its move into place — is read with the new
 * id, by protocol's {@link TaskRenames} (all renames at once, each reference
 * in its form).
 */
export class IdRenames {
  /** By the ids as the run wrote them. */
  private readonly renames = new TaskRenames();

  /** Reads `from` as `to` in `tag` from now on: a task the log renumbered (see `renumberingsOf`). */
  follow(tag: string, from: string, to: string): void {
    this.renames.set(tag, from, to);
  }

  /**
   * Reads `op` with the ids renamed so far, and, for a created item whose id
   * `file` holds already for another item, gives it the next free id of its
   * list and remembers that. The same item again (an event seen twice) keeps
   * its id. Returns `op` itself when nothing changed, else a changed copy.
   */
  place(file: TasksFile, op: TeamOp): TeamOp {
    if (!('change' in op)) return op;
    const placed = this.renamed(op);
    const change = placed.change;
    if (change.event !== 'task.created') return placed;
    const tagData = findTag(file, change.payload.tag);
    const existing = tagData && findTask(tagData, change.payload.id);
    // The same item again (an event seen twice), not another member's under the same id: it keeps its id.
    if (!existing || jsonEqual(existing.task, change.payload.task)) return placed;
    const free = String(nextId(existing.kind === 'task' ? tagData.tasks : (existing.parent.subtasks ?? [])));
    this.renames.set(change.payload.tag, op.change.payload.id, existing.kind === 'task' ? free : `${idKey(existing.parent.id)}.${free}`);
    return this.renamed(op);
  }

  /** `op`, as written, read with every rename: a copy, or `op` itself when no rename names anything in it. */
  private renamed(op: TeamTaskOp): TeamTaskOp {
    if (this.renames.size === 0) return op;
    const written = op.change.payload;
    const tag = written.tag;
    const copy = structuredClone(op);
    const p = copy.change.payload;
    p.id = this.renames.fullId(tag, written.id);
    if (written.parentId !== undefined) p.parentId = this.renames.fullId(tag, written.parentId);
    for (const item of [(p as { task?: unknown }).task, copy.base]) if (isJsonObject(item)) this.renames.renameItem(tag, item, written.id, p.id);
    if (copy.change.event === 'task.moved') {
      const { from, to } = copy.change.payload;
      if (from.id !== undefined) from.id = this.renames.fullId(tag, from.id);
      if (from.parentId !== undefined) from.parentId = this.renames.fullId(tag, from.parentId);
      if (to.parentId !== undefined) to.parentId = this.renames.fullId(tag, to.parentId);
    }
    // Unchanged entries stay the caller's own objects: a pull journals only the outbox entries it changed.
    return jsonEqual(copy, op) ? op : copy;
  }
}
