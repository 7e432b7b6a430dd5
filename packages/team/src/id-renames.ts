import { findTag, findTask, idKey, idLike, jsonEqual, nextId, type TaskId, type TasksFile, type TeamOp, type TeamTaskOp } from '@taskmaster/protocol';

type Fields = Record<string, unknown>;

/**
 * The new ids of tasks (and subtasks) that a run of operations created
 * under ids another member had taken meanwhile. Task Master numbers tasks
 * max + 1, so two machines that each add a task between two pulls both make
 * task 4: the one later in the team's order becomes the next free id (5),
 * and every later operation of the same run that names it — its update, a
 * dependency on it, its subtasks, its move into place — is read with the new
 * id. Ids are kept as the run wrote them (the original numbering) and mapped
 * all at once, never one rename after another: with 4 → 5 and 5 → 6, a 4 is 5.
 *
 * Dependencies follow protocol's rule (see `sameDependency`): in a subtask a
 * bare id names a sibling, a dotted one any subtask; in a task a bare id names
 * a task. Each keeps its form (a number, a string, bare or dotted).
 */
export class IdRenames {
  /** `tag\0fullId` (as the run wrote it) → the full id it has now. */
  private readonly to = new Map<string, string>();

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
    this.to.set(key(change.payload.tag, op.change.payload.id), existing.kind === 'task' ? free : `${idKey(existing.parent.id)}.${free}`);
    return this.renamed(op);
  }

  /** `op`, as written, read with every rename: a copy (or `op` itself when there is none). */
  private renamed(op: TeamTaskOp): TeamTaskOp {
    if (this.to.size === 0) return op;
    const written = op.change.payload;
    const tag = written.tag;
    const copy = structuredClone(op);
    const p = copy.change.payload;
    p.id = this.fullId(tag, written.id);
    if (written.parentId !== undefined) p.parentId = this.fullId(tag, written.parentId);
    for (const item of [(p as { task?: unknown }).task, copy.base]) if (isFields(item)) this.renameItem(tag, item, written.id, p.id);
    if (copy.change.event === 'task.moved') {
      const { from, to } = copy.change.payload;
      if (from.id !== undefined) from.id = this.fullId(tag, from.id);
      if (from.parentId !== undefined) from.parentId = this.fullId(tag, from.parentId);
      if (to.parentId !== undefined) to.parentId = this.fullId(tag, to.parentId);
    }
    return copy;
  }

  /** An item written as `writtenId`, now `id`: its own id, its dependencies, and its subtasks' (as a created task carries them). */
  private renameItem(tag: string, item: Fields, writtenId: string, id: string): void {
    if (id !== writtenId && item.id !== undefined) item.id = idLike(item.id as TaskId, lastPart(id));
    const writtenParent = parentOf(writtenId);
    // A subtask's `parentTaskId`, which Task Master (and our store) write beside its id, follows its parent.
    if (writtenParent !== undefined && item.parentTaskId !== undefined && idKey(item.parentTaskId as TaskId) === writtenParent) {
      item.parentTaskId = idLike(item.parentTaskId as TaskId, parentOf(id) ?? writtenParent);
    }
    if (Array.isArray(item.dependencies)) item.dependencies = item.dependencies.map((d: TaskId) => this.dependency(tag, d, writtenParent));
    if (writtenParent !== undefined || !Array.isArray(item.subtasks)) return;
    for (const sub of item.subtasks as unknown[]) {
      if (!isFields(sub) || sub.id === undefined) continue;
      const writtenSub = `${writtenId}.${idKey(sub.id as TaskId)}`;
      this.renameItem(tag, sub, writtenSub, this.fullId(tag, writtenSub));
    }
  }

  /** A dependency of an item whose parent (as written) is `writtenParent` (undefined for a task): a bare one in a subtask is a sibling, and stays bare. */
  private dependency(tag: string, dep: TaskId, writtenParent: string | undefined): TaskId {
    const written = idKey(dep);
    const sibling = writtenParent !== undefined && !written.includes('.');
    const full = sibling ? `${writtenParent}.${written}` : written;
    const now = this.fullId(tag, full);
    if (now === full) return dep;
    return idLike(dep, sibling ? lastPart(now) : now);
  }

  /** The full id `written` (`"4"`, `"4.2"`) has now. */
  private fullId(tag: string, written: string): string {
    const direct = this.to.get(key(tag, written));
    if (direct !== undefined) return direct;
    const parent = parentOf(written);
    const renamedParent = parent === undefined ? undefined : this.to.get(key(tag, parent));
    return renamedParent === undefined ? written : `${renamedParent}${written.slice(parent!.length)}`;
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

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
