import * as vscode from 'vscode';
import { taskTooltip } from './taskMarkdown.js';
import type { GroupNode, TaskNode, TaskViewModel, ViewChange } from './viewModel.js';
import { isDoneStatus } from '@taskmaster/protocol';

/**
 * The TreeDataProvider over the view model. Elements are node ids (strings),
 * so the editor matches them across refreshes and keeps expansion and
 * selection; TreeItem ids are the same strings.
 */
export class TasksTreeProvider implements vscode.TreeDataProvider<string> {
  private readonly changed = new vscode.EventEmitter<string | string[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly model: TaskViewModel,
    private readonly sparcMode: (node: TaskNode) => string | undefined,
  ) {}

  /** Tells the editor what a model change touched. */
  refresh(change: ViewChange): void {
    if (change.all) this.changed.fire(undefined);
    else if (change.ids.length) this.changed.fire([...new Set(change.ids)]);
  }

  getChildren(id?: string): string[] {
    const nodes = id === undefined ? this.model.roots() : this.model.children(id);
    return nodes.map((node) => node.id);
  }

  getParent(id: string): string | undefined {
    return this.model.parentId(id);
  }

  getTreeItem(id: string): vscode.TreeItem {
    const node = this.model.node(id);
    if (!node) return new vscode.TreeItem('(removed)');
    return node.kind === 'group' ? groupItem(node, this.model.currentTag) : this.taskItem(node);
  }

  private taskItem(node: TaskNode): vscode.TreeItem {
    const { task } = node;
    const item = new vscode.TreeItem(task.title || '(untitled)', node.hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const priority = 'priority' in task && typeof task.priority === 'string' ? task.priority : undefined;
    item.id = node.id;
    item.description = [`#${node.taskId}`, node.kind === 'task' ? priority : undefined].filter(Boolean).join(' · ');
    item.iconPath = statusIcon(node.status, priority);
    item.contextValue = node.kind;
    item.accessibilityInformation = { label: `Task ${node.taskId}: ${task.title}, ${node.status}${priority ? `, ${priority} priority` : ''}` };
    const tooltip = new vscode.MarkdownString(taskTooltip({ tag: node.tag, taskId: node.taskId, task, sparcMode: this.sparcMode(node) }));
    tooltip.supportThemeIcons = false;
    item.tooltip = tooltip;
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function groupItem(node: GroupNode, currentTag: string): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
  item.id = node.id;
  item.contextValue = 'group';
  if (node.groupBy === 'tag') {
    item.description = `${node.done}/${node.count} done${node.key === currentTag ? ' · current' : ''}`;
    item.iconPath = new vscode.ThemeIcon('tag');
  } else {
    item.description = String(node.count);
    item.iconPath = statusIcon(node.key, undefined);
  }
  item.accessibilityInformation = { label: `${node.label}, ${node.count} tasks` };
  return item;
}

const STATUS_ICONS: Record<string, string> = {
  pending: 'circle-large-outline',
  'in-progress': 'play-circle',
  review: 'eye',
  blocked: 'error',
  deferred: 'clock',
  cancelled: 'circle-slash',
  done: 'pass-filled',
  completed: 'pass-filled',
};

const PRIORITY_COLORS: Record<string, string> = {
  critical: 'charts.red',
  high: 'charts.orange',
  medium: 'charts.blue',
  low: 'disabledForeground',
};

/** The status decides the icon's shape; the priority its colour (finished tasks stay green). */
export function statusIcon(status: string, priority: string | undefined): vscode.ThemeIcon {
  const icon = STATUS_ICONS[status] ?? 'circle-outline';
  if (isDoneStatus(status)) return new vscode.ThemeIcon(icon, new vscode.ThemeColor('testing.iconPassed'));
  const color = priority ? PRIORITY_COLORS[priority] : undefined;
  return new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
}
