import {
  applyTagNames,
  applyTaskChange,
  expandTaskPatch,
  assertNever,
  blockersOf,
  DEFAULT_TAG,
  findTag,
  idKey,
  isDoneStatus,
  isEventName,
  parseTaskRef,
  sameDependency,
  statusesById,
  stillOverridden,
  dismissNotice,
  withOverridden,
  subtaskProgress,
  tagsOf,
  type EventPayload,
  type Subtask,
  type TaggedTasksFile,
  type Task,
  type TaskChange,
  type TasksFile,
  type OverriddenNotice,
} from '@taskmaster/protocol';
import { compareStatuses, statusLabel } from './statusOrder.js';
import type { TaskFacts } from './taskFacts.js';
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
  /** A tag group's tag is broken: what is wrong (`task 7, field title: …`). */
  problem?: string;
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

/** The tree's state: every tag's tasks plus the view options. */
export class TaskViewModel {
  /** The model's own copy of every tag, changed only by `applyTaskChange` (and `load`). */
  private file: TaggedTasksFile = {};
  /** Built on demand, dropped on every change of the data. */
  private indexCache: NodeIndex | undefined;
  /** Statuses by full id per tag, for blockers; built on demand, dropped with the index. */
  private statusCache = new Map<string, Map<string, string>>();
  private currentTagName = DEFAULT_TAG;
  /** The tag on view until a `file.changed` said it was gone (renamed, deleted), until the next switch: a rename's `tag.current.changed` comes after. */
  private leftTag: string | undefined;
  private groupByMode: GroupBy;
  private filterText = '';
  private tagProblems: Readonly<Record<string, string>> = {};
  /** Changes another program wrote over that still stand in {@link file}, oldest first, the latest per task. */
  private overwrittenList: ReadonlyArray<OverriddenNotice> = [];

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
    return Object.keys(this.file);
  }

  /**
   * Replaces all state with a whole tasks file (first load, snapshot,
   * read-only reload). The model keeps its own copy: the client's replica
   * shares objects with events and mutates them in place.
   */
  load(data: TasksFile): ViewChange {
    // A legacy file is held as its `master` tag, so events of new tags can add them.
    this.file = { ...tagsOf(structuredClone(data)) };
    this.dataChanged();
    return EVERYTHING;
  }

  setGroupBy(groupBy: GroupBy): ViewChange {
    if (groupBy === this.groupByMode) return NOTHING;
    this.groupByMode = groupBy;
    return EVERYTHING;
  }

  setCurrentTag(tag: string): ViewChange {
    this.leftTag = undefined;
    if (tag === this.currentTagName) return NOTHING;
    this.currentTagName = tag;
    return EVERYTHING;
  }

  /** Broken tags, each with what is wrong: their tag groups say so. */
  setTagProblems(problems: Readonly<Record<string, string>>): ViewChange {
    const names = Object.keys(problems);
    if (names.length === Object.keys(this.tagProblems).length && names.every((n) => this.tagProblems[n] === problems[n])) return NOTHING;
    this.tagProblems = problems;
    return EVERYTHING;
  }

  /** What is wrong with `tag` when it is broken (current tag by default). */
  tagProblem(tag = this.currentTagName): string | undefined {
    return this.tagProblems[tag];
  }

  /** Shows only tasks whose id, title, description, status or priority contain every word. */
  setFilter(text: string): ViewChange {
    const trimmed = text.trim();
    if (trimmed === this.filterText) return NOTHING;
    this.filterText = trimmed;
    return EVERYTHING;
  }

  /**
   * Takes `sync.conflict` notices, live or as `sync.status` lists those that
   * still stand; keeps those that stand in the model's copy, the latest per
   * task. The rows do not change: the tree's message does.
   */
  addOverwritten(changes: ReadonlyArray<OverriddenNotice>): ViewChange {
    this.overwrittenList = withOverridden(this.overwrittenList, changes, this.file);
    return NOTHING;
  }

  /** Drops the notice named `notice` (`overriddenNoticeId`): dismissed, here or by any client (`sync.conflict.dismissed`). */
  dismissOverwritten(notice: string): ViewChange {
    this.overwrittenList = dismissNotice(this.overwrittenList, notice).rest;
    return NOTHING;
  }

  /** What another program wrote over in `tag` (the current one by default) that still stands: until put back, dismissed or changed again. */
  overwritten(tag = this.currentTagName): ReadonlyArray<OverriddenNotice> {
    return this.overwrittenList.filter((c) => c.tag === tag);
  }

  /** Applies a server event; returns what to refresh. */
  applyEvent(message: ViewEvent): ViewChange {
    // Names come off the wire: one this version does not know (a newer server) changes nothing.
    if (!isEventName(message.event)) return NOTHING;
    const event = message.event;
    switch (event) {
      case 'sync.snapshot': {
        const data = (message.payload as EventPayload<'sync.snapshot'> | undefined)?.data;
        return data ? this.load(data as TasksFile) : NOTHING;
      }
      case 'task.patched': {
        // The client expands these before they get here; one that does is expanded against the model's copy.
        const updated = expandTaskPatch(this.file, message.payload as EventPayload<'task.patched'>);
        return updated ? this.applyTaskEvent({ event: 'task.updated', payload: updated }) : NOTHING;
      }
      case 'task.created':
      case 'task.updated':
      case 'task.deleted':
      case 'task.status.changed':
      case 'task.moved':
        return this.applyTaskEvent({ event, payload: message.payload } as TaskChange);
      case 'sync.conflict':
        return this.addOverwritten([message.payload as OverriddenNotice]);
      case 'sync.conflict.dismissed':
        return this.dismissOverwritten((message.payload as EventPayload<'sync.conflict.dismissed'>).notice);
      case 'file.changed': {
        // Tags gone, or come empty: what task events cannot say (named only when they changed).
        const tags = (message.payload as EventPayload<'file.changed'> | undefined)?.tags;
        if (!tags || !applyTagNames(this.file, tags)) return NOTHING;
        // The tag on view renamed or deleted: master (or the first tag) rather than an empty tree under a gone name.
        if (!tags.includes(this.currentTagName)) {
          this.leftTag = this.currentTagName;
          this.currentTagName = tags.includes(DEFAULT_TAG) ? DEFAULT_TAG : (tags[0] ?? DEFAULT_TAG);
        }
        this.dataChanged();
        return EVERYTHING;
      }
      case 'tag.current.changed': {
        // A view on Task Master's current tag follows its switch (a use-tag in a terminal, a rename); one switched elsewhere here stays.
        // The tag renamed: its file.changed came first and left it (see leftTag).
        const { current, previous } = message.payload as EventPayload<'tag.current.changed'>;
        const following = this.currentTagName === previous || this.leftTag === previous;
        this.leftTag = undefined;
        if (!following || current === this.currentTagName) return NOTHING;
        this.currentTagName = current;
        return EVERYTHING;
      }
      // Connection, problem and shutdown notices do not change the tree (the extension shows them elsewhere).
      case 'sync.connected':
      case 'sync.disconnected':
      case 'sync.shutdown':
      case 'file.missing':
      case 'file.invalid':
        return NOTHING;
      default:
        return assertNever(event, 'event');
    }
  }

  /** The task or subtask `id` (`"5"` or `"5.2"`) of `tag`. */
  task(tag: string, id: string): Task | Subtask | undefined {
    const ref = parseTaskRef(id);
    if (!ref) return undefined;
    const parent = this.tasks(tag).find((t) => idKey(t.id) === ref.taskId);
    if (!parent || ref.subtaskId === undefined) return parent;
    return parent.subtasks?.find((s) => idKey(s.id) === ref.subtaskId);
  }

  /** Top-level tasks of a tag (current tag by default). */
  tasks(tag = this.currentTagName): readonly Task[] {
    return findTag(this.file, tag)?.tasks ?? [];
  }

  /** Finished and total top-level tasks of a tag (current tag by default). */
  counts(tag = this.currentTagName): Counts {
    const tasks = this.tasks(tag);
    return { done: tasks.filter((t) => isDoneStatus(statusOf(t))).length, total: tasks.length };
  }

  /** Subtask progress and blocking dependencies of a task or subtask node. */
  factsOf(node: TaskNode): TaskFacts {
    let statuses = this.statusCache.get(node.tag);
    if (!statuses) {
      statuses = statusesById(this.tasks(node.tag));
      this.statusCache.set(node.tag, statuses);
    }
    const progress = node.kind === 'task' ? subtaskProgress(node.task) : undefined;
    return { ...(progress && { progress }), blockers: blockersOf(node.task, statuses, node.parentId) };
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

  /**
   * Applies a task event to the model's copy (`applyTaskChange`, as every
   * replica does) and works out what to refresh: the changed nodes when
   * every node stays in its group, else the whole tree.
   */
  private applyTaskEvent(change: TaskChange): ViewChange {
    const { tag, id } = change.payload;
    if (typeof tag !== 'string' || typeof id !== 'string') return NOTHING;
    const ref = parseTaskRef(id);
    const before = this.task(tag, id);
    const statusBefore = before ? statusOf(before) : undefined;
    if (change.event === 'task.status.changed' && statusBefore === change.payload.to) return NOTHING;
    if (!applyTaskChange(this.file, change)) return NOTHING;
    this.dataChanged();
    const parentId = change.payload.parentId ?? ref?.taskId;
    const isSubtask = change.payload.parentId !== undefined || ref?.subtaskId !== undefined;
    switch (change.event) {
      case 'task.created':
      case 'task.updated':
        // The parent's row shows the subtasks' progress; other rows may show this subtask as a blocker.
        if (isSubtask && parentId) return this.changedInPlace(tag, [taskNodeId(tag, parentId), ...this.dependentNodeIds(tag, id)]);
        if (!before || statusBefore !== statusOf(change.payload.task)) return this.changedMembership(tag);
        return this.changedInPlace(tag, [taskNodeId(tag, id)]);
      case 'task.status.changed':
        if (isSubtask && parentId) return this.changedInPlace(tag, [taskNodeId(tag, id), taskNodeId(tag, parentId), ...this.dependentNodeIds(tag, id)]);
        return this.changedMembership(tag);
      case 'task.deleted':
        if (isSubtask && parentId) return this.changedInPlace(tag, [taskNodeId(tag, parentId)]);
        return this.changedMembership(tag);
      case 'task.moved':
        // Order or parents changed: node ids and children shift, so the tree is redrawn.
        return this.changedMembership(tag);
      default:
        return assertNever(change, 'task event');
    }
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

  /** Node ids of the tasks and subtasks of `tag` that depend on `fullId` (`"5.2"`), whose blocked marker may change with it. */
  private dependentNodeIds(tag: string, fullId: string): string[] {
    const ids: string[] = [];
    for (const node of this.index().nodes.values()) {
      if (node.tag !== tag) continue;
      const dependsOnIt = (node.task.dependencies ?? []).some((dep) => sameDependency(dep, fullId, node.parentId));
      if (dependsOnIt) ids.push(node.id);
    }
    return ids;
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
      ...(this.tagProblems[tag] !== undefined ? { problem: this.tagProblems[tag] } : {}),
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

  private dataChanged(): void {
    this.indexCache = undefined;
    this.statusCache.clear();
    // Put back, or changed again by anyone: no longer written over.
    if (this.overwrittenList.length > 0) this.overwrittenList = this.overwrittenList.filter((c) => stillOverridden(c, this.file));
  }

  private index(): NodeIndex {
    this.indexCache ??= buildNodeIndex(new Map(Object.entries(this.file).map(([tag, tagData]) => [tag, tagData.tasks])));
    return this.indexCache;
  }
}
