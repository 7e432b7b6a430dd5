import {
  ErrorCode,
  idKey,
  parseTaskRef,
  sameDependency,
  TaskmasterError,
  type DependencyProblem,
  type FoundTask,
  type TagData,
  type Task,
  type TaskId,
} from '@taskmaster/protocol';
import { invalidParams } from '../errors.js';
import { fullIdOf, readView, requireTag, requireTask, touchTag } from './lookup.js';
import type { ReadOp, WriteOp } from './op-types.js';

/*
 * How dependencies are read (one rule for every op here, Task Master's
 * `next` and `fix-dependencies` rule): a top-level task's `5` / `"5"` is task
 * 5 and `"5.2"` subtask 2 of task 5; in a subtask of task 5 a plain `2` /
 * `"2"` is its sibling 5.2 and a dotted `"3.1"` names any subtask.
 */

/** `dependency.add`: `id` (a task or subtask) will depend on `dependsOn` (`5` or `"5.2"`). */
export const addDependency: WriteOp<'dependency.add'> = (data, { id, dependsOn }, { tag, now }) => {
  const tagData = requireTag(data, tag);
  const found = requireTask(tagData, tag, id);
  const ownerId = fullIdOf(found);
  const depKey = refKey(dependsOn, 'dependsOn', tag);
  if (depKey === ownerId) throw invalidParams(`task ${ownerId} cannot depend on itself`, { id: ownerId, dependsOn: depKey, tag });
  const target = findDependency(tagData, tag, ownerId, depKey);
  const parentKey = parentKeyOf(found);
  if (parentKey !== undefined && target.kind === 'task') {
    // Task Master's add-dependency writes "3" here, which its own `next` and
    // `fix-dependencies` then read as the sibling subtask, not task 3.
    throw invalidParams(
      `subtask ${ownerId} cannot depend on task ${depKey}: in a subtask's dependencies a plain id means a sibling subtask ` +
        `(${parentKey}.${depKey}), not a task; use "${parentKey}.${depKey}" for the sibling, or make task ${parentKey} depend on task ${depKey}`,
      { id: ownerId, dependsOn: depKey, tag },
    );
  }

  const existing = readView(found.task).dependencies ?? [];
  if (existing.some((d) => sameDependency(d, depKey, parentKey, undefined))) {
    // Task Master warns and leaves the file as it was; so does this.
    return { tag, id: ownerId, dependencies: [...existing] };
  }
  const chain = pathBetween(dependencyGraph(readView(tagData.tasks)).edges, depKey, ownerId);
  if (chain) {
    throw invalidParams(
      `task ${ownerId} cannot depend on ${depKey}: ${depKey} already depends on ${ownerId} (${chain.join(' → ')}), so this would make a circular dependency`,
      { id: ownerId, dependsOn: depKey, tag, chain },
    );
  }
  // A subtask is only ever named as "5.2"; a task in the type its own id has in the file.
  const value: TaskId = target.kind === 'subtask' || typeof target.task.id === 'string' ? depKey : Number(depKey);
  const dependencies = sortDependencies([...existing, value]);
  found.task.dependencies = dependencies;
  touchTag(tagData, now);
  return { tag, id: ownerId, dependencies: [...dependencies] };
};

/** `dependency.remove`: `id` no longer depends on `dependsOn`; nothing changes when it did not. */
export const removeDependency: WriteOp<'dependency.remove'> = (data, { id, dependsOn }, { tag, now }) => {
  const tagData = requireTag(data, tag);
  const found = requireTask(tagData, tag, id);
  const ownerId = fullIdOf(found);
  const depKey = refKey(dependsOn, 'dependsOn', tag);
  const parentKey = parentKeyOf(found);
  const existing = readView(found.task).dependencies ?? [];
  // Every entry naming it goes (`2` and "5.2" in a subtask of 5 are one dependency), not just the first.
  const kept = existing.filter((d) => !sameDependency(d, depKey, parentKey, undefined));
  if (kept.length !== existing.length) {
    found.task.dependencies = kept;
    touchTag(tagData, now);
  }
  return { tag, id: ownerId, dependencies: [...kept] };
};

/**
 * `dependencies.validate`: every dependency that cannot hold, tasks and
 * subtasks alike: `missing` (names nothing in the tag), `self`, and
 * `circular` — the dependency lies on a cycle or leads into one, so the task
 * can never start (a self-dependency is the shortest cycle, so it is also
 * circular, as Task Master reports it).
 */
export const validateDependencies: ReadOp<'dependencies.validate'> = (data, _params, { tag }) => {
  const tasks = readView(requireTag(data, tag).tasks);
  const graph = dependencyGraph(tasks);
  const blocked = blockedByCycle(graph);
  const problems: DependencyProblem[] = [];
  const seen = new Set<string>();
  const report = (problem: DependencyProblem) => {
    const key = `${problem.id} ${problem.dependsOn} ${problem.problem}`;
    if (!seen.has(key)) problems.push(problem);
    seen.add(key);
  };
  for (const owner of graph.owners) {
    for (const dep of owner.deps) {
      const full = qualify(dep, owner.parentKey);
      if (full === owner.key) {
        report({ id: owner.key, dependsOn: full, problem: 'self' });
        report({ id: owner.key, dependsOn: full, problem: 'circular' });
      } else if (!graph.rank.has(full)) report({ id: owner.key, dependsOn: full, problem: 'missing' });
      else if (blocked.has(full)) report({ id: owner.key, dependsOn: full, problem: 'circular' });
    }
  }
  return { tag, problems };
};

/**
 * `dependencies.fix`: removes repeated dependencies, then those on the task
 * itself or on nothing, then breaks every cycle by removing dependencies on
 * something later in the file (subtasks count as before their parent) that
 * are still on a cycle, in file order; later work keeps waiting for earlier.
 * Each removal but the repeats is listed (the protocol has no `duplicate`
 * problem).
 */
export const fixDependencies: WriteOp<'dependencies.fix'> = (data, _params, { tag, now }) => {
  const tagData = requireTag(data, tag);
  const graph = dependencyGraph(readView(tagData.tasks));
  const fixed: DependencyProblem[] = [];
  const changed = new Set<Owner>();

  // Repeats, self and missing: per owner, in its order.
  const kept = new Map<Owner, TaskId[]>();
  for (const owner of graph.owners) {
    const keep: TaskId[] = [];
    const seen: TaskId[] = [];
    for (const dep of owner.deps) {
      const repeat = seen.some((s) => sameDependency(s, dep, owner.parentKey, owner.parentKey));
      seen.push(dep);
      const full = qualify(dep, owner.parentKey);
      if (repeat) {
        // dropped, unlisted
      } else if (full === owner.key) fixed.push({ id: owner.key, dependsOn: full, problem: 'self' });
      else if (!graph.rank.has(full)) fixed.push({ id: owner.key, dependsOn: full, problem: 'missing' });
      else {
        keep.push(dep);
        continue;
      }
      changed.add(owner);
    }
    kept.set(owner, keep);
  }

  // Cycles, on what is left. Every cycle has a dependency on something later in the order, so
  // taking those that are still on a cycle, one by one, leaves none, and only removes what has to go.
  const edges = graphOf(graph.owners, graph.rank, (o) => kept.get(o)!);
  const component = stronglyConnected(edges);
  for (const owner of graph.owners) {
    const mine = component.of.get(owner.key)!;
    if (component.size[mine]! < 2) continue;
    const ownerRank = graph.rank.get(owner.key)!;
    kept.set(
      owner,
      kept.get(owner)!.filter((dep) => {
        const full = qualify(dep, owner.parentKey);
        if (component.of.get(full) !== mine || graph.rank.get(full)! < ownerRank) return true;
        if (!pathBetween(edges, full, owner.key)) return true;
        const out = edges.get(owner.key)!;
        out.splice(out.indexOf(full), 1);
        fixed.push({ id: owner.key, dependsOn: full, problem: 'circular' });
        changed.add(owner);
        return false;
      }),
    );
  }

  if (changed.size === 0) return { tag, fixed };
  for (const owner of changed) {
    const task = tagData.tasks[owner.taskIndex]!;
    const item = owner.subIndex === undefined ? task : task.subtasks![owner.subIndex]!;
    item.dependencies = kept.get(owner)!;
  }
  touchTag(tagData, now);
  return { tag, fixed };
};

// ---------------------------------------------------------------------------------------------
// The dependency graph of a tag
// ---------------------------------------------------------------------------------------------

/** A task or subtask that holds dependencies, and where it is. */
interface Owner {
  /** `5` or `5.2`. */
  key: string;
  /** The parent's id, for a subtask. */
  parentKey?: string;
  taskIndex: number;
  subIndex?: number;
  deps: readonly TaskId[];
}

interface Graph {
  /** Every task and subtask in file order (a task, then its subtasks). */
  owners: Owner[];
  /**
   * Every id in the tag with its place in the order that cycles are broken
   * by: each task's subtasks, then the task.
   */
  rank: Map<string, number>;
  /** Resolved edges: id → the ids it depends on that exist (itself included). */
  edges: Map<string, string[]>;
}

function dependencyGraph(tasks: readonly Task[]): Graph {
  const owners: Owner[] = [];
  const rank = new Map<string, number>();
  let next = 0;
  tasks.forEach((task, taskIndex) => {
    const key = idKey(task.id);
    owners.push({ key, taskIndex, deps: task.dependencies ?? [] });
    (task.subtasks ?? []).forEach((sub, subIndex) => {
      const subKey = `${key}.${idKey(sub.id)}`;
      owners.push({ key: subKey, parentKey: key, taskIndex, subIndex, deps: sub.dependencies ?? [] });
      if (!rank.has(subKey)) rank.set(subKey, next++);
    });
    if (!rank.has(key)) rank.set(key, next++);
  });
  return { owners, rank, edges: graphOf(owners, rank, (o) => o.deps) };
}

/** Edges between ids that exist; owners sharing an id (seen in real files) share a node. */
function graphOf(owners: Owner[], rank: Map<string, number>, depsOf: (owner: Owner) => readonly TaskId[]): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const key of rank.keys()) edges.set(key, []);
  for (const owner of owners) {
    const out = edges.get(owner.key)!;
    for (const dep of depsOf(owner)) {
      const full = qualify(dep, owner.parentKey);
      if (rank.has(full)) out.push(full);
    }
  }
  return edges;
}

/** The full id a dependency names: a plain id in a subtask is its sibling. */
function qualify(dep: TaskId, parentKey: string | undefined): string {
  const key = idKey(dep);
  const ref = parseTaskRef(key);
  if (!ref) return key;
  const full = ref.subtaskId === undefined ? ref.taskId : `${ref.taskId}.${ref.subtaskId}`;
  return parentKey !== undefined && ref.subtaskId === undefined ? `${parentKey}.${full}` : full;
}

/** Strongly connected components (Tarjan's, without recursion): the component of each id and their sizes. */
function stronglyConnected(edges: Map<string, string[]>): { of: Map<string, number>; size: number[]; order: string[][] } {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const of = new Map<string, number>();
  const size: number[] = [];
  const order: string[][] = [];
  let counter = 0;
  for (const start of edges.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const out = edges.get(frame.node)!;
      if (frame.next < out.length) {
        const to = out[frame.next++]!;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const members: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          of.set(member, size.length);
          members.push(member);
        } while (member !== frame.node);
        size.push(members.length);
        order.push(members);
      }
    }
  }
  return { of, size, order };
}

/** The ids that lie on a cycle or depend (through any chain) on one that does. */
function blockedByCycle(graph: Graph): Set<string> {
  const { of, order } = stronglyConnected(graph.edges);
  // Tarjan's finds a component after every component it leads to, so one pass in that order will do.
  const blockedComponent: boolean[] = [];
  const blocked = new Set<string>();
  order.forEach((members, c) => {
    const inCycle = members.length > 1 || graph.edges.get(members[0]!)!.includes(members[0]!);
    const leadsToCycle = members.some((m) => graph.edges.get(m)!.some((to) => of.get(to) !== c && blockedComponent[of.get(to)!]));
    blockedComponent[c] = inCycle || leadsToCycle;
    if (blockedComponent[c]) for (const m of members) blocked.add(m);
  });
  return blocked;
}

/** A chain of dependencies from `from` to `to` (both included), or undefined. */
function pathBetween(edges: Map<string, string[]>, from: string, to: string): string[] | undefined {
  const cameFrom = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    if (node === to) {
      const chain: string[] = [];
      for (let at: string | null = node; at !== null; at = cameFrom.get(at)!) chain.unshift(at);
      return chain;
    }
    for (const next of edges.get(node) ?? []) {
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/** `5` or `"5.2"` as a canonical full id; -32602 for anything else. */
function refKey(id: TaskId, field: string, tag: string): string {
  const ref = parseTaskRef(id);
  if (!ref) throw invalidParams(`${field}: invalid task id ${JSON.stringify(id)}: expected a number like 5 or a subtask id like "5.2"`, { [field]: id, tag });
  return ref.subtaskId === undefined ? ref.taskId : `${ref.taskId}.${ref.subtaskId}`;
}

/** The task or subtask a new dependency names; 1008 saying which when it is not there. */
function findDependency(tagData: TagData, tag: string, ownerId: string, depKey: string): FoundTask {
  try {
    return requireTask(tagData, tag, depKey);
  } catch (err) {
    if (err instanceof TaskmasterError && err.code === ErrorCode.NotFound) {
      throw new TaskmasterError(ErrorCode.NotFound, `task ${ownerId} cannot depend on ${depKey}: task ${depKey} not found in tag "${tag}"`, {
        tag,
        id: depKey,
      });
    }
    throw err;
  }
}

function parentKeyOf(found: FoundTask): string | undefined {
  return found.kind === 'subtask' ? idKey(found.parent.id) : undefined;
}

/**
 * Task Master's order for a dependency list: plain ids (tasks, or siblings in
 * a subtask) by number, then subtask ids by task and subtask number. It means
 * this too, but compares by JS type, so the `"3"` it writes itself lands after
 * every number (`[4, "3"]`); this compares the ids.
 */
function sortDependencies(deps: TaskId[]): TaskId[] {
  const sortKey = (dep: TaskId): number[] => {
    const ref = parseTaskRef(dep);
    if (!ref) return [2];
    return ref.subtaskId === undefined ? [0, Number(ref.taskId)] : [1, Number(ref.taskId), Number(ref.subtaskId)];
  };
  return deps
    .map((dep) => ({ dep, key: sortKey(dep) }))
    .sort((a, b) => {
      for (let i = 0; i < Math.max(a.key.length, b.key.length); i++) {
        const d = (a.key[i] ?? 0) - (b.key[i] ?? 0);
        if (d !== 0) return d;
      }
      return 0;
    })
    .map(({ dep }) => dep);
}
