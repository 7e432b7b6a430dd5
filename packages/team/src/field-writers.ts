import { changedTaskFields, idKey, WHOLE_ITEM, type FieldConflict, type TeamOp } from '@taskmaster/protocol';

/**
 * Who last wrote each field of each task and subtask of the team's file, as
 * far as this server has read the log since it loaded that file: this
 * member or another. A pull tells a member only of the changes of its own
 * that another member's change overrode, so when two members race, a third
 * is not told (it changed nothing). What was written before the file was
 * loaded is not known, and an override of it is told, as it always was:
 * never a change of ours silently dropped.
 */
export class FieldWriters {
  /** By item (`tag` NUL `id`): each field, true when this member wrote it last. */
  private readonly items = new Map<string, Map<string, boolean>>();

  /** Notes one row of the log, its ops as applied; `here`: this member wrote it. */
  note(ops: readonly TeamOp[], here: boolean): void {
    for (const op of ops) {
      if (!('change' in op)) {
        if ('tagDeleted' in op) for (const key of this.items.keys()) if (key.startsWith(`${op.tagDeleted}\0`)) this.items.delete(key);
        continue;
      }
      const change = op.change;
      const key = itemKey(change.payload.tag, change.payload.id);
      switch (change.event) {
        case 'task.created':
          this.items.set(key, new Map(Object.keys(change.payload.task).map((f) => [f, here])));
          break;
        case 'task.updated': {
          const fields = this.items.get(key) ?? new Map<string, boolean>();
          for (const f of change.payload.changed) fields.set(f, here);
          this.items.set(key, fields);
          break;
        }
        case 'task.deleted':
          this.items.set(key, new Map([[WHOLE_ITEM, here]]));
          break;
        case 'task.moved':
          // A move changes no field; a renumbered item (Task Master's `move --from=5 --to=7`) takes its writers, and its subtasks theirs, to its new id.
          if (change.payload.from.id !== undefined && idKey(change.payload.from.id) !== idKey(change.payload.id)) this.renumber(change.payload.tag, change.payload.from.id, change.payload.id);
          break;
        case 'task.status.changed':
          // Travels as the `task.updated` it follows.
          break;
      }
    }
  }

  /**
   * Whether `conflict`, listed as one op of `ops` applied, overrode a change
   * this member made, or one whose writer is not known. A delete of an item
   * changed since the deleter's base overrides ours when we wrote any field
   * it changed since then.
   */
  overridesOurs(conflict: FieldConflict, ops: readonly TeamOp[]): boolean {
    const fields = this.items.get(itemKey(conflict.tag, conflict.id));
    const ours = (field: string) => fields?.get(field) !== false;
    if (conflict.field !== WHOLE_ITEM) return ours(conflict.field);
    // An update of an item deleted meanwhile: the delete was ours?
    if (conflict.ours === undefined) return ours(WHOLE_ITEM);
    const deleted = ops.find((op) => 'change' in op && op.change.event === 'task.deleted' && op.change.payload.tag === conflict.tag && idKey(op.change.payload.id) === idKey(conflict.id));
    const base = deleted && 'change' in deleted ? deleted.base : undefined;
    if (!base) return true;
    return changedTaskFields(base, conflict.ours as object).some(ours);
  }

  private renumber(tag: string, from: string, to: string): void {
    const item = itemKey(tag, from);
    const subtasks = `${item}.`;
    const moved = [...this.items].filter(([key]) => key === item || key.startsWith(subtasks));
    for (const [key] of moved) this.items.delete(key);
    for (const [key, fields] of moved) this.items.set(itemKey(tag, idKey(to) + key.slice(item.length)), fields);
  }

  /** Forgets everything: the team's file is loaded afresh. */
  clear(): void {
    this.items.clear();
  }
}

function itemKey(tag: string, id: string): string {
  return `${tag}\0${idKey(id)}`;
}
