import * as vscode from 'vscode';
import { statusLabel } from './statusOrder.js';
import { BLOCKED_ICON, DONE_COLOR, PRIORITIES, PRIORITY_COLORS, STATUS_ICONS } from './taskRow.js';
import { themeIcon } from './tasksTree.js';

/** One row of the legend: an icon as the tasks tree draws it, and what it means. */
interface LegendEntry {
  id: string;
  label: string;
  description?: string;
  icon: string;
  color?: string;
}

/** Statuses whose icon shape the legend explains (done is listed with the colours). */
const LEGEND_STATUSES = ['pending', 'in-progress', 'review', 'blocked', 'deferred', 'cancelled'];

/** The legend's rows, drawn with the same icons and theme colours as the tasks tree so they always match. */
function legendEntries(): LegendEntry[] {
  return [
    ...PRIORITIES.map((priority) => ({ id: `priority:${priority}`, label: `${priority} priority`, description: 'icon colour', icon: 'circle-large-filled', color: PRIORITY_COLORS[priority] })),
    { id: 'blocked-by', label: 'blocked by 4, 7', description: 'a dependency is not done yet', icon: BLOCKED_ICON },
    { id: 'progress', label: '12 (3/5) …', description: 'after the id: subtasks done, of all', icon: 'checklist' },
    { id: 'done', label: 'done', description: 'green, whatever the priority', icon: STATUS_ICONS.done!, color: DONE_COLOR },
    ...LEGEND_STATUSES.map((status) => ({ id: `status:${status}`, label: statusLabel(status), description: 'status', icon: STATUS_ICONS[status]! })),
  ];
}

/**
 * The "Legend" view under the tasks: what the tree's colours and markers mean.
 * Static; collapsed by default (package.json), so it costs one header line.
 */
export class LegendTreeProvider implements vscode.TreeDataProvider<LegendEntry> {
  private readonly entries = legendEntries();

  getChildren(entry?: LegendEntry): LegendEntry[] {
    return entry ? [] : this.entries;
  }

  getTreeItem(entry: LegendEntry): vscode.TreeItem {
    const item = new vscode.TreeItem(entry.label, vscode.TreeItemCollapsibleState.None);
    item.id = `legend:${entry.id}`;
    item.description = entry.description;
    item.iconPath = themeIcon({ icon: entry.icon, color: entry.color });
    item.accessibilityInformation = { label: [entry.label, entry.description].filter(Boolean).join(': ') };
    return item;
  }
}
