import {
  applyTagNames,
  applyTaskChange,
  assertNever,
  expandTaskPatch,
  DEFAULT_TAG,
  isEventName,
  findTag,
  findTask,
  type EventPayload,
  type TaskChange,
  type Task,
  type TaskId,
  type TasksFile,
} from '@taskmaster/protocol';

/** An in-memory copy of the tasks file, kept current from the server's events. */
export interface Replica {
  /** The whole file as last known, or undefined before the first sync. */
  data(): TasksFile | undefined;
  /** The tasks of `tag` (default `master`). */
  tasks(tag?: string): Task[];
  /** A task (`5`) or subtask (`"5.2"`) of `tag`. */
  get(id: TaskId, tag?: string): Task | undefined;
  /** Called after every change of the copy; returns the function that stops it. */
  onChange(handler: () => void): () => void;
}

/**
 * The replica's implementation. Applying an event is idempotent (a created
 * task that exists is replaced, a deleted one that is gone is ignored), so an
 * event seen twice or after a snapshot that already holds it does no harm.
 */
export class ReplicaStore implements Replica {
  private file: TasksFile | undefined;
  private readonly handlers = new Set<() => void>();

  data(): TasksFile | undefined {
    return this.file;
  }

  tasks(tag: string = DEFAULT_TAG): Task[] {
    return this.file ? (findTag(this.file, tag)?.tasks ?? []) : [];
  }

  get(id: TaskId, tag: string = DEFAULT_TAG): Task | undefined {
    const tagData = this.file ? findTag(this.file, tag) : undefined;
    return tagData ? (findTask(tagData, id)?.task as Task | undefined) : undefined;
  }

  onChange(handler: () => void): () => void {
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  /** Replaces the whole copy (a full resync or a `sync.snapshot` event). */
  replace(data: TasksFile): void {
    this.file = data;
    this.changed();
  }

  /**
   * Applies one event (task events through the protocol's `applyTaskChange`).
   * Returns true when it changed the copy; events that do not touch tasks,
   * and names this version does not know, change nothing.
   */
  apply(event: string, payload: unknown): boolean {
    // Names come off the wire: one this version does not know (a newer server) is left alone.
    if (!isEventName(event)) return false;
    switch (event) {
      case 'sync.snapshot':
        this.replace((payload as EventPayload<'sync.snapshot'>).data as TasksFile);
        return true;
      case 'task.patched': {
        const updated = this.expand(payload as EventPayload<'task.patched'>);
        return updated ? this.apply('task.updated', updated) : false;
      }
      case 'task.created':
      case 'task.updated':
      case 'task.deleted':
      case 'task.status.changed':
      case 'task.moved': {
        // Before the first sync there is nothing to change, but a created task starts a copy.
        const creates = event === 'task.created' || event === 'task.updated';
        if (!this.file && !creates) return false;
        this.file ??= {};
        const applied = applyTaskChange(this.file, { event, payload } as TaskChange);
        if (applied) this.changed();
        return applied;
      }
      case 'file.changed': {
        // Tags gone, or come empty: what task events cannot say (named only when they changed).
        const tags = (payload as EventPayload<'file.changed'>).tags;
        if (!this.file || !tags || !applyTagNames(this.file, tags)) return false;
        this.changed();
        return true;
      }
      // Connection, conflict and shutdown notices, the file's problems and Task Master's current tag say nothing the task events do not.
      case 'tag.current.changed':
      case 'sync.connected':
      case 'sync.disconnected':
      case 'sync.shutdown':
      case 'sync.conflict':
      case 'sync.conflict.dismissed':
      case 'file.missing':
      case 'file.invalid':
        return false;
      default:
        return assertNever(event, 'event');
    }
  }

  /** The `task.updated` a `task.patched` stands for, made from this copy's item; undefined when the copy has no such item. */
  expand(payload: EventPayload<'task.patched'>): EventPayload<'task.updated'> | undefined {
    return this.file ? expandTaskPatch(this.file, payload) : undefined;
  }

  private changed(): void {
    for (const handler of [...this.handlers]) handler();
  }
}
