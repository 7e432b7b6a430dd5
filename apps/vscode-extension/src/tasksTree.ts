import * as vscode from 'vscode';
import { brokenTagNoticeFor } from '@taskmaster/protocol';
import { taskTooltip } from './taskMarkdown.js';
import { statusIcon, taskRow } from './taskRow.js';
import type { GroupNode, TaskNode, TaskViewModel, ViewChange } from './viewModel.js';

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
    const facts = this.model.factsOf(node);
    const row = taskRow(node, facts);
    const item = new vscode.TreeItem(row.label, node.hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = row.description;
    item.iconPath = themeIcon(row);
    item.contextValue = node.kind;
    item.accessibilityInformation = { label: row.accessibilityLabel };
    const tooltip = new vscode.MarkdownString(taskTooltip({ tag: node.tag, taskId: node.taskId, task: node.task, sparcMode: this.sparcMode(node), ...facts }));
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
  if (node.groupBy === 'tag' && node.problem !== undefined) {
    // Its tasks are as clients held them before it broke: say so where the tag is listed.
    item.description = `broken · ${node.problem}${node.key === currentTag ? ' · current' : ''}`;
    item.tooltip = brokenTagNoticeFor(node.key, node.problem);
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  } else if (node.groupBy === 'tag') {
    item.description = `${node.done}/${node.count} done${node.key === currentTag ? ' · current' : ''}`;
    item.iconPath = new vscode.ThemeIcon('tag');
  } else {
    item.description = String(node.count);
    item.iconPath = themeIcon(statusIcon(node.key, undefined));
  }
  item.accessibilityInformation = { label: `${node.label}, ${node.count} tasks` };
  return item;
}

/** A codicon in a theme colour. */
export function themeIcon(look: { icon: string; color: string | undefined }): vscode.ThemeIcon {
  return new vscode.ThemeIcon(look.icon, look.color ? new vscode.ThemeColor(look.color) : undefined);
}
