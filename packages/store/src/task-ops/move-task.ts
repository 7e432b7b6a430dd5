import {
  dependencyFullId,
  findTag,
  idKey,
  jsonEqual,
  parseTaskRef,
  taskNotFoundError,
  type Subtask,
  type TagData,
  type Task,
  type TaskId,
  type TaskRef,
} from '@taskmaster/protocol';
import { invalidParams } from '../errors.js';
import type { WriteOp } from './op-types.js';
import { assertTagCreatable, cloneJson, ensureTag, newIdLike, readView, requireTag, touchTag } from './lookup.js';

/** A task or subtask of a tag being edited. */
type Item = Task | Subtask;

/**
 * A tag's tasks as a plain copy to edit, remembering where each task and
 * subtask started, so that once the tasks are rearranged every dependency in
 * the tag can be made to name the same task at its new id ({@link rewrite}),
 * and the copy written back with the tasks that did not change kept as they
 * were ({@link writeBack}). Ops check as they go and throw before writing
 * back, so a failed op leaves the tag untouched.
 *
 * Dependencies follow Task Master's convention: in a subtask a plain id
 * (`2`, `"2"`) is a sibling, a dotted one (`"5.2"`) a full reference; so a
 * subtask cannot name a top-level task, and such dependencies are dropped
 * when a move would need one.
 */
export class TagEdit {
  /** The copy to edit: the tag's tasks. */
  readonly tasks: Task[];
  private readonly live: Task[];
  private readonly originals: readonly Task[];
  private readonly startIndex = new Map<Task, number>();
  /** Each item's parent (its id) when the edit began; top-level tasks are absent. */
  private readonly startParent = new Map<Item, string>();
  private readonly startFullId = new Map<Item, string>();
  /** The item a full id named when the edit began (the first, when a file repeats an id). */
  private readonly byStartId = new Map<string, Item>();

  constructor(
    private readonly tagData: TagData,
    readonly tag: string,
  ) {
    this.live = tagData.tasks;
    this.originals = readView(tagData.tasks);
    this.tasks = this.originals.map((task, i) => {
      const copy = cloneJson(task);
      this.startIndex.set(copy, i);
      return copy;
    });
    for (const task of this.tasks) {
      const key = idKey(task.id);
      this.register(task, key, undefined);
      for (const sub of task.subtasks ?? []) this.register(sub, `${key}.${idKey(sub.id)}`, key);
    }
  }

  private register(item: Item, fullId: string, parent: string | undefined): void {
    this.startFullId.set(item, fullId);
    if (parent !== undefined) this.startParent.set(item, parent);
    if (!this.byStartId.has(fullId)) this.byStartId.set(fullId, item);
  }

  /** Makes `next` stand for `previous` (a task turned into a subtask, or back): dependencies on it follow it. */
  replace(previous: Item, next: Item): void {
    const fullId = this.startFullId.get(previous);
    if (fullId === undefined) return;
    this.startFullId.set(next, fullId);
    const parent = this.startParent.get(previous);
    if (parent !== undefined) this.startParent.set(next, parent);
    if (this.byStartId.get(fullId) === previous) this.byStartId.set(fullId, next);
  }

  /** Whether `fullId` named a task or subtask of this tag when the edit began. */
  existedAtStart(fullId: string): boolean {
    return this.byStartId.has(fullId);
  }

  /** The position of task `key` in the copy, or -1. */
  indexOf(key: string): number {
    return this.tasks.findIndex((t) => idKey(t.id) === key);
  }

  /** Task `key` of the copy; 1008 when absent. */
  task(key: string): Task {
    const task = this.tasks[this.indexOf(key)];
    if (!task) throw taskNotFoundError(this.tag, key);
    return task;
  }

  /** Subtask `ref` of the copy with its parent; 1008 when absent. */
  subtask(ref: Required<TaskRef>): { parent: Task; sub: Subtask; index: number } {
    const parent = this.tasks[this.indexOf(ref.taskId)];
    const index = parent?.subtasks?.findIndex((s) => idKey(s.id) === ref.subtaskId) ?? -1;
    if (!parent || index < 0) throw taskNotFoundError(this.tag, `${ref.taskId}.${ref.subtaskId}`);
    return { parent, sub: parent.subtasks![index]!, index };
  }

  /**
   * Whether task `from` (its dependencies and its subtasks', followed
   * through the tag) depends on a node `reached` accepts: Task Master's
   * check before making a task a subtask of a task that depends on it.
   */
  dependsOn(from: string, reached: (fullId: string) => boolean): boolean {
    const seen = new Set<string>([from]);
    const stack = [from];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const ref = parseTaskRef(node);
      if (!ref) continue;
      const task = this.tasks[this.indexOf(ref.taskId)];
      if (!task) continue;
      const edges: string[] = [];
      if (ref.subtaskId === undefined) {
        for (const dep of task.dependencies ?? []) edges.push(idKey(dep));
        for (const sub of task.subtasks ?? []) for (const dep of sub.dependencies ?? []) edges.push(dependencyFullId(dep, ref.taskId));
      } else {
        const sub = task.subtasks?.find((s) => idKey(s.id) === ref.subtaskId);
        for (const dep of sub?.dependencies ?? []) edges.push(dependencyFullId(dep, ref.taskId));
      }
      for (const next of edges) {
        if (reached(next)) return true;
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    return false;
  }

  /**
   * Makes every dependency in the tag name what it named when the edit
   * began: at its new id, in the form its holder's place allows. Dropped:
   * dependencies on what is gone, on the holder itself, and a subtask's
   * dependencies on top-level tasks (a subtask cannot name one). Lists with
   * nothing to change are left as they are, odd entries included.
   */
  rewrite(): void {
    const finalId = new Map<Item, string>();
    const taskIdOf = new Map<string, TaskId>();
    for (const task of this.tasks) {
      const key = idKey(task.id);
      finalId.set(task, key);
      if (!taskIdOf.has(key)) taskIdOf.set(key, task.id);
      for (const sub of task.subtasks ?? []) finalId.set(sub, `${key}.${idKey(sub.id)}`);
    }
    const now = (start: string): string | null => {
      const item = this.byStartId.get(start);
      if (!item) return start; // named nothing then (a dangling dependency): left as it is
      return finalId.get(item) ?? null;
    };
    const render = (dep: TaskId, target: string, parent: string | undefined): TaskId | undefined => {
      const ref = parseTaskRef(target);
      if (!ref) return dep;
      const bare = !idKey(dep).includes('.');
      if (ref.subtaskId === undefined) {
        if (parent !== undefined) return undefined;
        // A plain id keeps its type (`5` → `10`, `"5"` → `"10"`); a subtask's (`"5.2"`) takes the type of the task's id.
        const asString = bare ? typeof dep === 'string' : typeof taskIdOf.get(target) === 'string';
        return asString ? target : Number(target);
      }
      if (parent === ref.taskId && bare) return typeof dep === 'number' ? Number(ref.subtaskId) : ref.subtaskId;
      return target;
    };
    const fix = (item: Item, parent: string | undefined) => {
      const deps = item.dependencies;
      if (!Array.isArray(deps) || deps.length === 0) return;
      const known = this.startFullId.has(item);
      const before = known ? this.startParent.get(item) : parent;
      const own = finalId.get(item);
      const out: TaskId[] = [];
      const kept = new Set<string>();
      let changed = false;
      for (const dep of deps) {
        const start = dependencyFullId(dep, before);
        const target = known ? now(start) : start;
        if (target === start && before === parent) {
          out.push(dep);
          kept.add(start);
          continue;
        }
        changed = true;
        if (target === null || target === own || kept.has(target)) continue;
        const written = render(dep, target, parent);
        if (written === undefined) continue;
        kept.add(target);
        out.push(written);
      }
      if (changed) item.dependencies = out;
    };
    for (const task of this.tasks) {
      const key = idKey(task.id);
      fix(task, undefined);
      for (const sub of task.subtasks ?? []) fix(sub, key);
    }
  }

  /** Writes the copy back into the tag, keeping unchanged tasks as the same objects; false when nothing changed. */
  writeBack(now: string): boolean {
    const next = this.tasks.map((task) => {
      const at = this.startIndex.get(task);
      if (at === undefined) return task;
      return jsonEqual(this.originals[at], task) ? this.live[at]! : task;
    });
    if (next.length === this.live.length && next.every((task, i) => task === this.live[i])) return false;
    this.live.splice(0, this.live.length, ...next);
    touchTag(this.tagData, now);
    return true;
  }
}


/** Parses an id given in params; -32602 naming the field when it is not `5` or `"5.2"`. */
export function parseRef(id: TaskId, field: string, tag: string): TaskRef {
  const ref = parseTaskRef(id);
  if (!ref) throw invalidParams(`${field}: invalid task id ${JSON.stringify(id)}: expected a number like 5 or a subtask id like "5.2"`, { id, tag });
  return ref;
}

/** A new id for a list, typed like its ids (`fallback`'s type when it is empty). */
export function idFor(items: ReadonlyArray<{ id: TaskId }>, n: number, fallback?: TaskId): TaskId {
  if (items.length === 0 && typeof fallback === 'string') return String(n);
  return newIdLike(items, n);
}

/**
 * Checks that `task` can become a subtask of `parent` (Task Master's rules,
 * and that it has no subtasks of its own: a subtask cannot have any).
 */
export function assertCanNest(edit: TagEdit, task: Task, parent: Task, field: string): void {
  const taskKey = idKey(task.id);
  const parentKey = idKey(parent.id);
  if (taskKey === parentKey) throw invalidParams(`${field}: task ${taskKey} cannot become a subtask of itself`, { id: taskKey, tag: edit.tag });
  const subs = task.subtasks?.length ?? 0;
  if (subs > 0) {
    throw invalidParams(
      `${field}: task ${taskKey} has ${subs} subtask${subs === 1 ? '' : 's'}, and a subtask cannot have subtasks; move or remove them first`,
      { id: taskKey, tag: edit.tag },
    );
  }
  if (edit.dependsOn(parentKey, (node) => node === taskKey || node.startsWith(`${taskKey}.`))) {
    throw invalidParams(`${field}: task ${parentKey} depends on task ${taskKey}, so ${taskKey} cannot become its subtask (a circular dependency)`, {
      id: taskKey,
      parentId: parentKey,
      tag: edit.tag,
    });
  }
}

/** Task Master's known fields, which its conversions lay out themselves. */
const TASK_FIELDS = new Set(['id', 'title', 'description', 'status', 'dependencies', 'priority', 'details', 'testStrategy', 'subtasks', 'parentTaskId']);

/** `base` followed by `from`'s other fields (ones Task Master would drop), except those in `skip`. */
export function withOthers(base: Record<string, unknown>, from: object, skip: ReadonlySet<string> = TASK_FIELDS): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) out[key] = value;
  for (const [key, value] of Object.entries(from)) {
    if (!(key in out) && !skip.has(key) && value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * `task.move`. Within the tag (`to`), pairs are moved in order, each seeing
 * the ones before, as Task Master's `move --from=5,6 --to=8,9`:
 * - task → new id (`5` → `10`): renumbered (with its subtasks), moved to the
 *   end of the list; an id in use is refused.
 * - task → subtask (`5` → `7.2`): becomes subtask 2 of task 7, at its end.
 * - subtask → task (`5.2` → `10`): becomes task 10, placed before the first
 *   task with a higher id.
 * - subtask → other parent (`5.2` → `7.3`): becomes subtask 3 of 7, at its end.
 * - subtask → same parent (`5.2` → `5.4`): reordered after 5.4 (to the end
 *   when there is none), keeping its id.
 * Dependencies anywhere in the tag follow the moved tasks (see {@link TagEdit}).
 * With `toTag`, see {@link moveToTag}.
 */
export const moveTasks: WriteOp<'task.move'> = (data, params, ctx) => {
  const tagData = requireTag(data, ctx.tag);
  if (params.toTag !== undefined) return moveToTag(data, tagData, params, ctx.tag, params.toTag, ctx.now);
  if (params.withDependencies || params.ignoreDependencies) {
    throw invalidParams('withDependencies and ignoreDependencies apply to a move to another tag (toTag), not to a move within the tag', { tag: ctx.tag });
  }
  const to = params.to;
  if (!to || to.length !== params.from.length) throw invalidParams('give "to" with as many ids as "from", or "toTag"', { tag: ctx.tag });
  const edit = new TagEdit(tagData, ctx.tag);
  const seen = new Set<string>();
  const moved = params.from.map((from, i) => {
    const fromRef = parseRef(from, 'from', ctx.tag);
    const toRef = parseRef(to[i]!, 'to', ctx.tag);
    const fromKey = idKey(from);
    if (seen.has(fromKey)) throw invalidParams(`from: ${fromKey} is given twice`, { id: fromKey, tag: ctx.tag });
    seen.add(fromKey);
    return moveOne(edit, fromRef, toRef);
  });
  edit.rewrite();
  edit.writeBack(ctx.now);
  return { tag: ctx.tag, moved };
};

/** One pair of a move within a tag; returns the ids before and after. */
function moveOne(edit: TagEdit, from: TaskRef, to: TaskRef): { from: string; to: string } {
  const tag = edit.tag;
  const fromKey = refKey(from);
  const toKey = refKey(to);

  if (from.subtaskId === undefined) {
    const task = edit.task(from.taskId);
    // Task Master refuses 5 → 5 as "already exists" (and moves 5.2 → 5.2 one place down): a no-op here.
    if (fromKey === toKey) return { from: fromKey, to: fromKey };
    if (to.subtaskId === undefined) {
      if (edit.indexOf(to.taskId) >= 0) throw idInUse(tag, toKey, edit.tasks);
      edit.tasks.splice(edit.indexOf(from.taskId), 1);
      task.id = typeof task.id === 'string' ? to.taskId : Number(to.taskId);
      edit.tasks.push(task);
      return { from: fromKey, to: toKey };
    }
    const parent = edit.task(to.taskId);
    assertCanNest(edit, task, parent, 'from');
    const siblings = parent.subtasks ?? [];
    if (siblings.some((s) => idKey(s.id) === to.subtaskId)) throw subtaskInUse(tag, parent, to.subtaskId);
    // Task Master's fields for a task turned subtask (priority and subtasks go); other fields are kept.
    const sub = withOthers(
      {
        id: idFor(siblings, Number(to.subtaskId), task.id),
        title: task.title,
        description: task.description,
        status: task.status || 'pending',
        dependencies: task.dependencies ?? [],
        details: task.details || '',
        testStrategy: task.testStrategy || '',
      },
      task,
    ) as Subtask;
    edit.replace(task, sub);
    edit.tasks.splice(edit.indexOf(from.taskId), 1);
    (parent.subtasks ??= []).push(sub);
    return { from: fromKey, to: toKey };
  }

  const { parent, sub, index } = edit.subtask(from as Required<TaskRef>);
  if (fromKey === toKey) return { from: fromKey, to: fromKey };
  if (to.subtaskId === undefined) {
    if (edit.indexOf(to.taskId) >= 0) {
      throw invalidParams(`to: task ${toKey} already exists in tag "${tag}"; give a free id, or a subtask id like "${toKey}.1" to move it under that task`, {
        id: toKey,
        tag,
      });
    }
    const n = Number(to.taskId);
    // Task Master's fields for a subtask turned task; its other fields (but parentTaskId) are kept.
    const task = withOthers(
      {
        id: idFor(edit.tasks, n),
        title: sub.title,
        description: sub.description,
        status: sub.status || 'pending',
        dependencies: sub.dependencies ?? [],
        priority: (sub as { priority?: string }).priority || 'medium',
        details: sub.details || '',
        testStrategy: sub.testStrategy || '',
        subtasks: [],
      },
      sub,
    ) as Task;
    edit.replace(sub, task);
    parent.subtasks!.splice(index, 1);
    const at = edit.tasks.findIndex((t) => Number(t.id) > n);
    if (at < 0) edit.tasks.push(task);
    else edit.tasks.splice(at, 0, task);
    return { from: fromKey, to: toKey };
  }

  const target = edit.task(to.taskId);
  const list = parent.subtasks!;
  if (target === parent) {
    // Reordered within its parent, keeping its id: after `to` when it exists, else last.
    list.splice(index, 1);
    const after = list.findIndex((s) => idKey(s.id) === to.subtaskId);
    if (after < 0) list.push(sub);
    else list.splice(after + 1, 0, sub);
    return { from: fromKey, to: fromKey };
  }
  const siblings = target.subtasks ?? [];
  if (siblings.some((s) => idKey(s.id) === to.subtaskId)) throw subtaskInUse(tag, target, to.subtaskId);
  list.splice(index, 1);
  sub.id = idFor(siblings, Number(to.subtaskId), sub.id);
  // Task Master keeps the old parent's id here; the subtask's parent is now `target`.
  if ('parentTaskId' in sub) (sub as { parentTaskId?: TaskId }).parentTaskId = target.id;
  (target.subtasks ??= []).push(sub);
  return { from: fromKey, to: toKey };
}

function refKey(ref: TaskRef): string {
  return ref.subtaskId === undefined ? ref.taskId : `${ref.taskId}.${ref.subtaskId}`;
}

function idInUse(tag: string, key: string, tasks: readonly Task[]) {
  const free = tasks.reduce((max, t) => Math.max(max, Math.floor(Number(t.id)) || 0), 0) + 1;
  return invalidParams(`to: task ${key} already exists in tag "${tag}"; give a free id (the next one is ${free})`, { id: key, tag });
}

function subtaskInUse(tag: string, parent: Task, subId: string) {
  const key = `${idKey(parent.id)}.${subId}`;
  const free = (parent.subtasks ?? []).reduce((max, s) => Math.max(max, Math.floor(Number(s.id)) || 0), 0) + 1;
  return invalidParams(`to: subtask ${key} already exists in tag "${tag}"; give a free id (the next one is ${idKey(parent.id)}.${free})`, { id: key, tag });
}

/**
 * A move to another tag (Task Master's `move --from-tag --to-tag`): the
 * tasks keep their ids and subtasks, go to the end of `toTag` (created when
 * missing), and get Task Master's `tag` and `metadata.moveHistory` entry.
 * Dependencies cannot cross tags, so a move that would break one is refused
 * unless `withDependencies` (the tasks they depend on come along,
 * transitively) or `ignoreDependencies` (the dependencies are removed).
 */
function moveToTag(
  data: Parameters<WriteOp<'task.move'>>[0],
  tagData: TagData,
  params: { from: TaskId[]; withDependencies?: boolean; ignoreDependencies?: boolean },
  source: string,
  target: string,
  now: string,
) {
  if (target === source) {
    throw invalidParams(`toTag: the tasks are already in tag "${source}"; give "to" to move them within it`, { tag: source, toTag: target });
  }
  const edit = new TagEdit(tagData, source);
  const order: string[] = [];
  for (const from of params.from) {
    const ref = parseRef(from, 'from', source);
    const key = refKey(ref);
    if (ref.subtaskId !== undefined) {
      throw invalidParams(`from: ${key} is a subtask, and subtasks cannot move to another tag; make it a task first ('taskmaster remove-subtask --id ${key} --convert', or subtask.remove with convert), then move that`, {
        id: key,
        tag: source,
      });
    }
    edit.task(key);
    if (order.includes(key)) throw invalidParams(`from: ${key} is given twice`, { id: key, tag: source });
    order.push(key);
  }
  assertTagCreatable(data, target);

  const moving = new Set(order);
  /** The tasks (of the tag) that `key` and its subtasks depend on, as full ids. */
  const edgesOf = (task: Task): Array<{ holder: string; dep: string }> => {
    const key = idKey(task.id);
    const out = (task.dependencies ?? []).map((d) => ({ holder: key, dep: idKey(d) }));
    for (const sub of task.subtasks ?? []) for (const d of sub.dependencies ?? []) out.push({ holder: `${key}.${idKey(sub.id)}`, dep: dependencyFullId(d, key) });
    return out;
  };
  const ownerTask = (fullId: string) => parseTaskRef(fullId)?.taskId ?? fullId;
  if (params.withDependencies) {
    // Depth first, as Task Master orders them: each dependency, then its own.
    const visit = (key: string) => {
      for (const { dep } of edgesOf(edit.task(key))) {
        const owner = ownerTask(dep);
        if (!edit.existedAtStart(dep) || moving.has(owner)) continue;
        moving.add(owner);
        order.push(owner);
        visit(owner);
      }
    };
    for (const key of [...order]) visit(key);
  }

  const existing = findTag(data, target);
  const taken = existing ? readView(existing.tasks).map((t) => idKey(t.id)) : [];
  const clashes = order.filter((key) => taken.includes(key));
  if (clashes.length > 0) {
    const s = clashes.length === 1 ? '' : 's';
    throw invalidParams(
      `task${s} ${clashes.join(', ')} already exist${s ? '' : 's'} in tag "${target}", and a move keeps ids; move ${clashes.length === 1 ? 'it' : 'them'} to free ids within "${source}" first`,
      { ids: clashes, tag: source, toTag: target },
    );
  }

  // Dependencies that would cross the tags: from a moved task to one that stays, and back.
  const crossing: Array<{ holder: string; dep: string }> = [];
  for (const task of edit.tasks) {
    const staying = !moving.has(idKey(task.id));
    for (const edge of edgesOf(task)) {
      if (!edit.existedAtStart(edge.dep)) continue;
      if (staying === moving.has(ownerTask(edge.dep))) crossing.push(edge);
    }
  }
  if (crossing.length > 0 && !params.ignoreDependencies) {
    const shown = crossing.slice(0, 10).map((e) => `${e.holder} depends on ${e.dep}`);
    const more = crossing.length > shown.length ? ` and ${crossing.length - shown.length} more` : '';
    const outgoing = crossing.some((e) => moving.has(ownerTask(e.holder)));
    const fix = outgoing && !params.withDependencies ? 'withDependencies to move what they depend on along, or ' : '';
    throw invalidParams(
      `cannot move to tag "${target}": dependencies cannot cross tags (${shown.join('; ')}${more}); use ${fix}ignoreDependencies to remove these dependencies`,
      { tag: source, toTag: target, dependencies: crossing },
    );
  }

  const moved = order.map((key) => edit.tasks[edit.indexOf(key)]!);
  edit.tasks.splice(0, edit.tasks.length, ...edit.tasks.filter((t) => !moving.has(idKey(t.id))));
  for (const task of moved) {
    const key = idKey(task.id);
    const keeps = (dep: TaskId, parent?: string) => {
      const full = dependencyFullId(dep, parent);
      return !edit.existedAtStart(full) || moving.has(ownerTask(full));
    };
    if (task.dependencies?.some((d) => !keeps(d))) task.dependencies = task.dependencies.filter((d) => keeps(d));
    for (const sub of task.subtasks ?? []) {
      if (sub.dependencies?.some((d) => !keeps(d, key))) sub.dependencies = sub.dependencies.filter((d) => keeps(d, key));
    }
    recordMove(task, source, target, now);
  }
  edit.rewrite(); // the dependencies of tasks that stay on the moved ones go
  edit.writeBack(now);
  const targetData = ensureTag(data, target, now);
  targetData.tasks.push(...moved);
  touchTag(targetData, now);
  return { tag: source, toTag: target, moved: order.map((key) => ({ from: key, to: key })) };
}

/** What Task Master's cross-tag move adds to a task: its new `tag` and a `metadata.moveHistory` entry. */
function recordMove(task: Task, fromTag: string, toTag: string, timestamp: string): void {
  const fields = task as Record<string, unknown>;
  fields.tag = toTag;
  const meta = fields.metadata;
  if (meta !== undefined && (typeof meta !== 'object' || meta === null || Array.isArray(meta))) return;
  const metadata = (fields.metadata ??= {}) as Record<string, unknown>;
  const history = Array.isArray(metadata.moveHistory) ? metadata.moveHistory : (metadata.moveHistory = []);
  (history as unknown[]).push({ fromTag, toTag, timestamp });
}
