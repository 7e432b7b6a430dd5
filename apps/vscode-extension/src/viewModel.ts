import { DEFAULT_TAG, idKey, isDoneStatus, parseTaskRef, tagsOf, type Subtask, type Task, type TasksFile } from '@taskmaster/protocol';
import { compareStatuses, statusLabel } from './statusOrder.js';
import { buildNodeIndex, statusOf, taskNodeId, type NodeIndex, type TaskNode } from './taskNodes.js';

export { taskNodeId, type TaskNode } from './taskNodes.js';

/**
 * The tasks tree as data: task state in, tree nodes out. Pure (no vscode
 * import) so every rule of the tree is unit-tested without an editor.
 *
 * Node ids are stable across updates (`tag:id` for tasks, `tag:5.2` for
 * subtasks, `group:status:done` / `group:tag:master` for groups) so the
 * editor keeps expansion and selection when the tree refreshes (see
 * taskNodes.ts for ids of repeated subtask ids).
 */

/** How top-level nodes are formed. */
export type GroupBy = 'status' | 'tag';

/** A status group (current tag's tasks) or a tag group (that tag's tasks). */
export interface GroupNode {
  kind: 'group';
  id: string;
  groupBy: GroupBy;
  /** The status or the tag name. */
  key: string;
  label: string;
  /** Visible tasks in the group. */
  count: number;
  /** Finished tasks in the group (tag groups show `done/total`). */
  done: number;
}

export type ViewNode = GroupNode | TaskNode;

/** What a change did to the tree: refresh everything, or just these node ids. */
export interface ViewChange {
  all: boolean;
  ids: string[];
}

/** Finished and total top-level tasks. */
export interface Counts {
  done: number;
  total: number;
}

/** An event as the client delivers it; unknown names are ignored. */
export interface ViewEvent {
  event: string;
  payload: unknown;
}

const NOTHING: ViewChange = { all: false, ids: [] };
const EVERYTHING: ViewChange = { all: true, ids: [] };

/** The id of a group node. */
export function groupNodeId(groupBy: GroupBy, key: string): string {
  return `group:${groupBy}:${key}`;
}

interface TaskPayload {
  tag?: string;
  id?: string;
  parentId?: string;
  task?: Task;
  to?: string;
  data?: TasksFile;
}

/** The tree's state: every tag's tasks plus the view options. */
export class TaskViewModel {
  private tags = new Map<string, Task[]>();
  /** Built on demand, dropped on every change of the data. */
  private indexCache: NodeIndex | undefined;
  private currentTagName = DEFAULT_TAG;
  private groupByMode: GroupBy;
  private filterText = '';

  constructor(options: { groupBy?: GroupBy; currentTag?: string } = {}) {
    this.groupByMode = options.groupBy ?? 'status';
    if (options.currentTag) this.currentTagName = options.currentTag;
  }

  get groupBy(): GroupBy {
    return this.groupByMode;
  }

  get currentTag(): string {
    return this.currentTagName;
  }

  get filter(): string {
    return this.filterText;
  }

  /** Names of the known tags, in file order. */
  tagNames(): string[] {
    return [...this.tags.keys()];
  }

  /**
   * Replaces all state with a whole tasks file (first load, snapshot,
   * read-only reload). The model keeps its own copy: the client's replica
   * shares objects with events and mutates them in place.
   */
  load(data: TasksFile): ViewChange {
    const copy = structuredClone(data);
    this.tags = new Map(Object.entries(tagsOf(copy)).map(([tag, tagData]) => [tag, tagData.tasks]));
    this.indexCache = undefined;
    return EVERYTHING;
  }

  setGroupBy(groupBy: GroupBy): ViewChange {
    if (groupBy === this.groupByMode) return NOTHING;
    this.groupByMode = groupBy;
    return EVERYTHING;
  }

  setCurrentTag(tag: string): ViewChange {
    if (tag === this.currentTagName) return NOTHING;
    this.currentTagName = tag;
    return EVERYTHING;
  }

  /** Shows only tasks whose id, title, description, status or priority contain every word. */
  setFilter(text: string): ViewChange {
    const trimmed = text.trim();
    if (trimmed === this.filterText) return NOTHING;
    this.filterText = trimmed;
    return EVERYTHING;
  }

  /** Applies a server event; returns what to refresh. */
  applyEvent(message: ViewEvent): ViewChange {
    const payload = (message.payload ?? {}) as TaskPayload;
    if (message.event.startsWith('task.') || message.event === 'sync.snapshot') this.indexCache = undefined;
    switch (message.event) {
      case 'sync.snapshot':
        return payload.data ? this.load(payload.data) : NOTHING;
      case 'task.created':
      case 'task.updated':
        return payload.tag && payload.id && payload.task ? this.upsert(payload.tag, payload.id, payload.task) : NOTHING;
      case 'task.status.changed':
        return payload.tag && payload.id && payload.to ? this.changeStatus(payload.tag, payload.id, payload.to) : NOTHING;
      case 'task.deleted':
        return payload.tag && payload.id ? this.remove(payload.tag, payload.id) : NOTHING;
      default:
        return NOTHING;
    }
  }

  /** The task or subtask `id` (`"5"` or `"5.2"`) of `tag`. */
  task(tag: string, id: string): Task | Subtask | undefined {
    const ref = parseTaskRef(id);
    if (!ref) return undefined;
    const parent = this.tags.get(tag)?.find((t) => idKey(t.id) === ref.taskId);
    if (!parent || ref.subtaskId === undefined) return parent;
    return parent.subtasks?.find((s) => idKey(s.id) === ref.subtaskId);
  }

  /** Top-level tasks of a tag (current tag by default). */
  tasks(tag = this.currentTagName): readonly Task[] {
    return this.tags.get(tag) ?? [];
  }

  /** Finished and total top-level tasks of a tag (current tag by default). */
  counts(tag = this.currentTagName): Counts {
    const tasks = this.tasks(tag);
    return { done: tasks.filter((t) => isDoneStatus(statusOf(t))).length, total: tasks.length };
  }

  /** The top-level nodes. */
  roots(): ViewNode[] {
    if (this.groupByMode === 'tag') {
      return this.tagNames()
        .map((tag) => this.tagGroup(tag))
        .filter((group) => group.count > 0 || !this.filterText);
    }
    const byStatus = new Map<string, Task[]>();
    for (const node of this.visibleNodes(this.currentTagName)) {
      byStatus.set(node.status, [...(byStatus.get(node.status) ?? []), node.task as Task]);
    }
    return [...byStatus.entries()]
      .sort(([a], [b]) => compareStatuses(a, b))
      .map(([status, tasks]) => ({
        kind: 'group',
        id: groupNodeId('status', status),
        groupBy: 'status',
        key: status,
        label: statusLabel(status),
        count: tasks.length,
        done: isDoneStatus(status) ? tasks.length : 0,
      }));
  }

  /** The children of a node (none for unknown ids). */
  children(id: string): ViewNode[] {
    if (id.startsWith('group:')) {
      const group = this.roots().find((root) => root.id === id);
      if (!group || group.kind !== 'group') return [];
      const tag = group.groupBy === 'tag' ? group.key : this.currentTagName;
      const nodes = this.visibleNodes(tag);
      return group.groupBy === 'tag' ? nodes : nodes.filter((n) => n.status === group.key);
    }
    const node = this.index().nodes.get(id);
    if (!node || node.kind === 'subtask') return [];
    const subtasks = this.index().children.get(id) ?? [];
    if (!this.filterText || this.matches(node.task)) return subtasks;
    return subtasks.filter((s) => this.matches(s.task));
  }

  /** The node with this id, if it exists. */
  node(id: string): ViewNode | undefined {
    if (id.startsWith('group:')) return this.roots().find((root) => root.id === id);
    return this.index().nodes.get(id);
  }

  /** The id of a node's parent (undefined for roots), for `reveal`. */
  parentId(id: string): string | undefined {
    const node = this.node(id);
    if (!node || node.kind === 'group') return undefined;
    if (node.kind === 'subtask') return id.slice(0, id.lastIndexOf('.'));
    return this.groupByMode === 'tag' ? groupNodeId('tag', node.tag) : groupNodeId('status', node.status);
  }

  private upsert(tag: string, id: string, shared: Task): ViewChange {
    const task = structuredClone(shared);
    const ref = parseTaskRef(id);
    if (!ref) return NOTHING;
    const tasks = this.tags.get(tag) ?? [];
    if (!this.tags.has(tag)) this.tags.set(tag, tasks);
    if (ref.subtaskId !== undefined) {
      const parent = tasks.find((t) => idKey(t.id) === ref.taskId);
      if (!parent) return NOTHING;
      const subtasks = [...(parent.subtasks ?? [])];
      const index = subtasks.findIndex((s) => idKey(s.id) === ref.subtaskId);
      if (index >= 0) subtasks[index] = task as Subtask;
      else subtasks.push(task as Subtask);
      parent.subtasks = subtasks;
      return this.changedInPlace(tag, [taskNodeId(tag, ref.taskId)]);
    }
    const index = tasks.findIndex((t) => idKey(t.id) === ref.taskId);
    const before = index >= 0 ? tasks[index] : undefined;
    if (index >= 0) tasks[index] = task;
    else tasks.push(task);
    if (!before || statusOf(before) !== statusOf(task)) return this.changedMembership(tag);
    return this.changedInPlace(tag, [taskNodeId(tag, ref.taskId)]);
  }

  private changeStatus(tag: string, id: string, to: string): ViewChange {
    const task = this.task(tag, id);
    if (!task || statusOf(task) === to) return NOTHING;
    task.status = to;
    const ref = parseTaskRef(id)!;
    if (ref.subtaskId !== undefined) return this.changedInPlace(tag, [taskNodeId(tag, id), taskNodeId(tag, ref.taskId)]);
    return this.changedMembership(tag);
  }

  private remove(tag: string, id: string): ViewChange {
    const ref = parseTaskRef(id);
    const tasks = this.tags.get(tag);
    if (!ref || !tasks) return NOTHING;
    const index = tasks.findIndex((t) => idKey(t.id) === ref.taskId);
    if (index < 0) return NOTHING;
    if (ref.subtaskId === undefined) {
      tasks.splice(index, 1);
      return this.changedMembership(tag);
    }
    const parent = tasks[index]!;
    const subtasks = parent.subtasks ?? [];
    const subIndex = subtasks.findIndex((s) => idKey(s.id) === ref.subtaskId);
    if (subIndex < 0) return NOTHING;
    parent.subtasks = subtasks.filter((_, i) => i !== subIndex);
    return this.changedInPlace(tag, [taskNodeId(tag, ref.taskId)]);
  }

  /**
   * A change that keeps every node in its group. With a filter on, a change
   * may show or hide a node, so the whole tree is refreshed.
   */
  private changedInPlace(tag: string, ids: string[]): ViewChange {
    if (!this.isShown(tag)) return NOTHING;
    if (this.filterText) return EVERYTHING;
    const groups = this.groupByMode === 'tag' ? [groupNodeId('tag', tag)] : [];
    return { all: false, ids: [...ids, ...groups] };
  }

  /**
   * A change that adds, removes or moves a node between groups: a refresh of
   * the root, because refreshing two groups separately would briefly show the
   * moved node twice, and the editor rejects duplicate ids.
   */
  private changedMembership(tag: string): ViewChange {
    return this.isShown(tag) ? EVERYTHING : NOTHING;
  }

  private isShown(tag: string): boolean {
    return this.groupByMode === 'tag' || tag === this.currentTagName;
  }

  private tagGroup(tag: string): GroupNode {
    const visible = this.visibleNodes(tag);
    return {
      kind: 'group',
      id: groupNodeId('tag', tag),
      groupBy: 'tag',
      key: tag,
      label: tag,
      count: visible.length,
      done: visible.filter((n) => isDoneStatus(n.status)).length,
    };
  }

  private visibleNodes(tag: string): TaskNode[] {
    const nodes = this.index().roots.get(tag) ?? [];
    if (!this.filterText) return nodes;
    return nodes.filter((n) => this.matches(n.task) || (this.index().children.get(n.id) ?? []).some((s) => this.matches(s.task)));
  }

  private matches(task: Task | Subtask): boolean {
    const haystack = [idKey(task.id), task.title, task.description ?? '', statusOf(task), 'priority' in task ? task.priority ?? '' : '']
      .join(' ')
      .toLowerCase();
    return this.filterText
      .toLowerCase()
      .split(/\s+/)
      .every((word) => haystack.includes(word));
  }

  private index(): NodeIndex {
    this.indexCache ??= buildNodeIndex(this.tags);
    return this.indexCache;
  }
}
