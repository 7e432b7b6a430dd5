import {
  DEFAULT_TAG,
  idKey,
  isLegacyTasksFile,
  parseTaskRef,
  findTag,
  type EventPayload,
  type Subtask,
  type TagData,
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
    const ref = parseTaskRef(id);
    if (!ref) return undefined;
    const task = this.tasks(tag).find((t) => idKey(t.id) === ref.taskId);
    if (!task || ref.subtaskId === undefined) return task;
    return task.subtasks?.find((s) => idKey(s.id) === ref.subtaskId) as Task | undefined;
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

  /** Applies one event; events that do not touch tasks are ignored. Returns true when it did. */
  apply(event: string, payload: unknown): boolean {
    switch (event) {
      case 'sync.snapshot':
        this.replace((payload as EventPayload<'sync.snapshot'>).data as TasksFile);
        return true;
      case 'task.created':
      case 'task.updated': {
        const p = payload as EventPayload<'task.created'>;
        return this.upsert(p.tag, p.id, p.parentId, p.task);
      }
      case 'task.deleted': {
        const p = payload as EventPayload<'task.deleted'>;
        return this.remove(p.tag, p.id, p.parentId);
      }
      case 'task.status.changed': {
        const p = payload as EventPayload<'task.status.changed'>;
        const task = this.get(p.id, p.tag);
        if (!task) return false;
        task.status = p.to;
        this.changed();
        return true;
      }
      default:
        return false;
    }
  }

  private upsert(tag: string, id: string, parentId: string | undefined, task: Task | Subtask): boolean {
    const ref = parseTaskRef(id);
    const tagData = this.tag(tag, true);
    if (!ref || !tagData) return false;
    let list: Array<Task | Subtask>;
    if (ref.subtaskId === undefined && parentId === undefined) {
      list = tagData.tasks;
    } else {
      const parent = tagData.tasks.find((t) => idKey(t.id) === (parentId ?? ref.taskId));
      if (!parent) return false;
      list = parent.subtasks ??= [];
    }
    const key = ref.subtaskId ?? ref.taskId;
    const index = list.findIndex((t) => idKey(t.id) === key);
    if (index >= 0) list[index] = task;
    else list.push(task);
    this.changed();
    return true;
  }

  private remove(tag: string, id: string, parentId: string | undefined): boolean {
    const ref = parseTaskRef(id);
    const tagData = this.tag(tag, false);
    if (!ref || !tagData) return false;
    let list: Array<Task | Subtask> | undefined;
    if (ref.subtaskId === undefined && parentId === undefined) list = tagData.tasks;
    else list = tagData.tasks.find((t) => idKey(t.id) === (parentId ?? ref.taskId))?.subtasks;
    const key = ref.subtaskId ?? ref.taskId;
    const index = list?.findIndex((t) => idKey(t.id) === key) ?? -1;
    if (!list || index < 0) return false;
    list.splice(index, 1);
    this.changed();
    return true;
  }

  private tag(name: string, create: boolean): TagData | undefined {
    if (!this.file) {
      if (!create) return undefined;
      this.file = {};
    }
    const existing = findTag(this.file, name);
    if (existing || !create || isLegacyTasksFile(this.file)) return existing;
    const tagData: TagData = { tasks: [] };
    // defineProperty, not assignment: a tag named `__proto__` must become a key, not the prototype.
    Object.defineProperty(this.file, name, { value: tagData, enumerable: true, writable: true, configurable: true });
    return tagData;
  }

  private changed(): void {
    for (const handler of [...this.handlers]) handler();
  }
}
