import type * as vscode from 'vscode';
import type { BoardPanel } from '../boardPanel.js';
import type { Connection } from '../connection.js';
import type { ConflictResolver } from '../conflicts.js';
import type { Settings } from '../settings.js';
import type { TaskViewModel, ViewChange } from '../viewModel.js';

/** What every command works with; built once in extension.ts. */
export interface CommandContext {
  model: TaskViewModel;
  connection: Connection;
  conflicts: ConflictResolver;
  /** The board's webview panel. */
  board: BoardPanel;
  tree: vscode.TreeView<string>;
  settings(): Settings;
  /** The CLI to run: taskmaster.cliPath, else taskmaster on the PATH, else the bundled copy. */
  cli(): string;
  /** Call once `.taskmaster` exists (after Initialize): shows the project and connects as at start-up. */
  projectReady(): Promise<void>;
  /** Applies a view change to the tree, its description and the status bar. */
  viewChanged(change: ViewChange): void;
}

/** A command id and its handler. */
export type CommandTable = Record<string, (...args: unknown[]) => unknown>;
