import {
  applyTaskChange,
  findTag,
  findTask,
  jsonEqual,
  mergeTask,
  type FieldConflict,
  type TaskChange,
  type TasksFile,
  type TeamOp,
} from '@taskmaster/protocol';

/**
 * The operations that travel for one local version: the server's task events
 * (one diff, made once by the server) with, for updates, the item as it was
 * in `before`. `task.status.changed` is left out: the `task.updated` it
 * always follows carries the status already.
 */
export function teamOpsOf(before: TasksFile, changes: readonly TaskChange[]): TeamOp[] {
  const ops: TeamOp[] = [];
  for (const change of changes) {
    if (change.event === 'task.status.changed') continue;
    if (change.event === 'task.updated') {
      const base = itemIn(before, change.payload.tag, change.payload.id);
      ops.push(base ? { change, base: base as Record<string, unknown> } : { change });
    } else ops.push({ change });
  }
  return ops;
}

/**
 * Applies `ops` to `file` in place, in order, as the team log orders them: a
 * `task.updated` changes only the fields it changed since its base
 * (`mergeTask`: a field changed both since the base and by the op takes the
 * op's value — the later sequence wins — and is listed in `conflicts` with the
 * value it overrode); every other event applies as a replica applies it
 * (`applyTaskChange`). `file` must be a plain mutable object.
 */
export function applyTeamOps(file: TasksFile, ops: readonly TeamOp[], conflicts?: FieldConflict[]): void {
  for (const op of ops) {
    const change = op.change;
    if (change.event === 'task.updated' && op.base) {
      const current = itemIn(file, change.payload.tag, change.payload.id);
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
}

/** The task or subtask `id` (`"5"` or `"5.2"`) of `tag`, or undefined. */
function itemIn(file: TasksFile, tag: string, id: string): object | undefined {
  const tagData = findTag(file, tag);
  return tagData ? findTask(tagData, id)?.task : undefined;
}
