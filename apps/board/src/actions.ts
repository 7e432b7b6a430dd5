import type { TaskmasterClient } from '@taskmaster/client';
import { ErrorCode, isTaskmasterError, overriddenNoticeId, putBackUpdate, type ConflictData, type Task, type TaskStatus } from '@taskmaster/protocol';
import { WRITABLE_STATUSES } from './model.js';
import type { OverriddenChange } from './session.js';

/** A 1006 the user settles in the drawer: mine and theirs side by side. */
export interface PendingConflict {
  conflictId: string;
  id: string;
  tag: string;
  fields: string[];
  mine: Record<string, unknown>;
  theirs: Record<string, unknown> | null;
}

/** The outcome of a write, as the board reports it. */
export type WriteOutcome = { ok: true } | { ok: false; message: string; conflict?: PendingConflict };

/**
 * Every change the board makes, each one protocol call (names from
 * packages/protocol/src/methods.ts). Failures come back as sentences for the
 * status line, and a 1006 as a {@link PendingConflict}.
 */
export class BoardActions {
  constructor(private readonly client: TaskmasterClient) {}

  /** A card dropped on another column: `task.setStatus`. */
  setStatus(tag: string, id: string, status: string): Promise<WriteOutcome> {
    if (!WRITABLE_STATUSES.has(status)) return Promise.resolve({ ok: false, message: `Task Master cannot set the status "${status}"` });
    return this.run(() => this.client.call('task.setStatus', { tag, ids: [id], status: status as TaskStatus }));
  }

  /**
   * A card dropped elsewhere in its own column: `task.reorder` puts it just
   * before the card it now precedes (`before`), or last with null — the order
   * Task Master lists the tag in; ids stay as they are.
   */
  reorder(tag: string, id: string, before: string | null): Promise<WriteOutcome> {
    return this.run(() => this.client.call('task.reorder', { tag, id, before }));
  }

  /**
   * One field of the drawer: `task.update` with the version the user started
   * from as `base`, merging with concurrent changes of other fields; the same
   * field changed elsewhere meanwhile is a conflict (1006).
   */
  updateField(tag: string, id: string, field: string, value: unknown, base: Task): Promise<WriteOutcome> {
    if (field === 'status') return this.setStatus(tag, id, String(value));
    return this.run(() =>
      this.client.call('task.update', { tag, id, changes: { [field]: value }, base: base as Record<string, unknown>, strategy: 'merge' }),
    );
  }

  /** Settles a conflict: keep mine, keep theirs, or a merged task. */
  resolve(conflict: PendingConflict, choice: 'mine' | 'theirs' | 'merged', task?: Record<string, unknown>): Promise<WriteOutcome> {
    return this.run(() => this.client.call('conflict.resolve', { conflictId: conflict.conflictId, choice, ...(task ? { task } : {}) }));
  }

  /** Writes back the values another program wrote over (`putBackUpdate`; the button shows only where it has one). */
  putBack(change: OverriddenChange): Promise<WriteOutcome> {
    const update = putBackUpdate(change);
    if (!update) return Promise.resolve({ ok: false, message: `Task ${change.id} cannot be put back by an update: restore it from history` });
    return this.run(() => this.client.call('task.update', update));
  }

  /** Keeps what the other program wrote: the server drops the notice, for every page (`overridden.dismiss`). */
  dismiss(change: OverriddenChange): Promise<WriteOutcome> {
    return this.run(() => this.client.call('overridden.dismiss', { notice: overriddenNoticeId(change) }));
  }

  /** A task added at the foot of a column: `task.create` with that column's status; its id once created. */
  async createTask(tag: string, title: string, status: string): Promise<WriteOutcome & { id?: string }> {
    if (!WRITABLE_STATUSES.has(status)) return { ok: false, message: `Task Master cannot set the status "${status}"` };
    let id: string | undefined;
    const outcome = await this.run(async () => {
      id = (await this.client.call('task.create', { tag, task: { title, status: status as TaskStatus } })).id;
    });
    return outcome.ok ? { ok: true, id: id! } : outcome;
  }

  /** `task.delete`: the task and its subtasks; tasks that depended on it no longer do. */
  deleteTask(tag: string, id: string): Promise<WriteOutcome> {
    return this.run(() => this.client.call('task.delete', { tag, id }));
  }

  addDependency(tag: string, id: string, dependsOn: string): Promise<WriteOutcome> {
    return this.run(() => this.client.call('dependency.add', { tag, id, dependsOn }));
  }

  removeDependency(tag: string, id: string, dependsOn: string): Promise<WriteOutcome> {
    return this.run(() => this.client.call('dependency.remove', { tag, id, dependsOn }));
  }

  /** A subtask's checkbox: done, or back to pending. */
  toggleSubtask(tag: string, fullId: string, done: boolean): Promise<WriteOutcome> {
    return this.run(() => this.client.call('task.setStatus', { tag, ids: [fullId], status: done ? 'done' : 'pending' }));
  }

  addSubtask(tag: string, parentId: string, title: string): Promise<WriteOutcome> {
    return this.run(() => this.client.call('subtask.add', { tag, parentId, task: { title } }));
  }

  /**
   * Swaps a subtask with its neighbour: `task.move` within the parent puts
   * the moved one right after `to`, so the lower of the two goes after the upper.
   */
  swapSubtasks(tag: string, parentId: string, upper: string, lower: string): Promise<WriteOutcome> {
    return this.run(() => this.client.call('task.move', { tag, from: [`${parentId}.${upper}`], to: [`${parentId}.${lower}`] }));
  }

  /** Makes `name` Task Master's current tag (the only call that writes state.json). */
  useTag(name: string): Promise<WriteOutcome> {
    return this.run(() => this.client.call('tag.use', { name }));
  }

  private async run(call: () => Promise<unknown>): Promise<WriteOutcome> {
    try {
      await call();
      return { ok: true };
    } catch (err) {
      if (isTaskmasterError(err, ErrorCode.SyncConflict)) {
        const data = err.data as ConflictData<Record<string, unknown>>;
        if (data?.conflictId) {
          return {
            ok: false,
            message: `Changed elsewhere meanwhile: ${data.fields.join(', ')}`,
            conflict: { conflictId: data.conflictId, id: data.id, tag: data.tag, fields: data.fields, mine: data.mine, theirs: data.theirs },
          };
        }
      }
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }
}
