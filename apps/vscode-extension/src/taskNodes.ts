import { idKey, keyByOccurrence, type Subtask, type Task } from '@taskmaster/protocol';
import { DEFAULT_STATUS } from './statusOrder.js';

/**
 * Task and subtask nodes of the tree, built from the tags' task lists. Pure:
 * no vscode import. Real files hold subtasks sharing an id; repeats get
 * `#2`, `#3` (`tag:42.42#2`) so every node id stays unique.
 */

/** A task or a subtask. */
export interface TaskNode {
  kind: 'task' | 'subtask';
  id: string;
  tag: string;
  /** `"5"` for a task, `"5.2"` for a subtask: what the server's methods take. */
  taskId: string;
  /** The parent task's id, for subtasks. */
  parentId?: string;
  task: Task | Subtask;
  status: string;
  hasChildren: boolean;
}

/** The status of a task, `pending` when it has none. */
export function statusOf(task: Task | Subtask): string {
  return typeof task.status === 'string' && task.status ? task.status : DEFAULT_STATUS;
}

/** The id of a task or subtask node. */
export function taskNodeId(tag: string, taskId: string): string {
  return `${tag}:${taskId}`;
}

/** Every task node, looked up by id, per tag and per parent. */
export interface NodeIndex {
  nodes: Map<string, TaskNode>;
  /** Top-level task nodes per tag, in file order. */
  roots: Map<string, TaskNode[]>;
  /** Subtask nodes per task node id. */
  children: Map<string, TaskNode[]>;
}

/** Builds the nodes of every tag in file order. */
export function buildNodeIndex(tags: ReadonlyMap<string, Task[]>): NodeIndex {
  const index: NodeIndex = { nodes: new Map(), roots: new Map(), children: new Map() };
  for (const [tag, tasks] of tags) {
    const roots: TaskNode[] = [];
    for (const [key, task] of keyByOccurrence(tasks)) {
      const taskId = idKey(task.id);
      const subtasks = task.subtasks ?? [];
      const node: TaskNode = { kind: 'task', id: taskNodeId(tag, key), tag, taskId, task, status: statusOf(task), hasChildren: subtasks.length > 0 };
      const children: TaskNode[] = [];
      for (const [subKey, subtask] of keyByOccurrence(subtasks)) {
        const child: TaskNode = {
          kind: 'subtask',
          id: `${node.id}.${subKey}`,
          tag,
          taskId: `${taskId}.${idKey(subtask.id)}`,
          parentId: taskId,
          task: subtask,
          status: statusOf(subtask),
          hasChildren: false,
        };
        children.push(child);
        index.nodes.set(child.id, child);
      }
      roots.push(node);
      index.nodes.set(node.id, node);
      index.children.set(node.id, children);
    }
    index.roots.set(tag, roots);
  }
  return index;
}
