import * as vscode from 'vscode';
import type { TaskNode, TaskViewModel } from '../viewModel.js';

/**
 * The task a command acts on: the tree item it was invoked on, else one the
 * person picks (the tree's selection is offered first).
 */
export async function resolveTask(
  model: TaskViewModel,
  tree: vscode.TreeView<string>,
  arg: unknown,
  options: { topLevelOnly?: boolean; title: string },
): Promise<TaskNode | undefined> {
  if (typeof arg === 'string') {
    const node = model.node(arg);
    if (node && node.kind !== 'group') return node;
  }
  const nodes: TaskNode[] = [];
  for (const root of model.roots()) {
    for (const child of model.children(root.id)) {
      if (child.kind === 'group') continue;
      nodes.push(child);
      if (!options.topLevelOnly) nodes.push(...(model.children(child.id) as TaskNode[]));
    }
  }
  const selected = tree.selection[0];
  nodes.sort((a, b) => Number(b.id === selected) - Number(a.id === selected));
  const pick = await vscode.window.showQuickPick(
    nodes.map((node) => ({ label: `${node.taskId} ${node.task.title}`, description: `${node.status} · ${node.tag}`, node })),
    { title: options.title, placeHolder: 'Type a task id or words of its title', matchOnDescription: true },
  );
  return pick?.node;
}
