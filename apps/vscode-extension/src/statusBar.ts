import * as vscode from 'vscode';
import type { StateChange } from './connection.js';
import type { Counts } from './viewModel.js';

const LOOK: Record<StateChange['state'], { icon: string; word: string; background?: string }> = {
  connecting: { icon: '$(loading~spin)', word: 'connecting' },
  live: { icon: '$(sync)', word: 'live' },
  polling: { icon: '$(cloud)', word: 'polling' },
  offline: { icon: '$(debug-disconnect)', word: 'offline', background: 'statusBarItem.warningBackground' },
  error: { icon: '$(error)', word: 'error', background: 'statusBarItem.errorBackground' },
};

/** The text of the status bar item: `$(sync) live · 12/40`. Pure, for reuse in messages. */
export function statusText(state: StateChange['state'], counts: Counts): string {
  const look = LOOK[state];
  return state === 'connecting' ? `${look.icon} TaskMaster ${look.word}` : `${look.icon} ${look.word} · ${counts.done}/${counts.total}`;
}

/** The status bar item: sync state and done/total of the current tag; click for details. */
export class SyncStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('taskmaster.status', vscode.StatusBarAlignment.Left, 50);

  constructor(command: string) {
    this.item.name = 'TaskMaster Sync';
    this.item.command = command;
    this.item.show();
  }

  /** Hidden while the folder has no Task Master project. */
  setVisible(visible: boolean): void {
    if (visible) this.item.show();
    else this.item.hide();
  }

  update(change: StateChange, counts: Counts, tag: string): void {
    const look = LOOK[change.state];
    this.item.text = statusText(change.state, counts);
    this.item.backgroundColor = look.background ? new vscode.ThemeColor(look.background) : undefined;
    const lines = [`TaskMaster ${look.word}: ${counts.done} of ${counts.total} tasks done in tag ${tag}`];
    if (change.detail) lines.push(change.detail);
    lines.push('Click for sync status, reconnect or start a server');
    this.item.tooltip = lines.join('\n');
    this.item.accessibilityInformation = { label: `TaskMaster ${look.word}, ${counts.done} of ${counts.total} done` };
  }

  dispose(): void {
    this.item.dispose();
  }
}
