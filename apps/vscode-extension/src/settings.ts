import * as vscode from 'vscode';
import type { ConflictStrategy } from '@taskmaster/protocol';
import type { GroupBy } from './viewModel.js';

/** The extension's settings (`taskmaster.*`), with empty values meaning "use connection.json". */
export interface Settings {
  host: string;
  port: number;
  httpPort: number;
  token: string;
  autoStartServer: boolean;
  conflictStrategy: ConflictStrategy;
  groupBy: GroupBy;
  cliPath: string;
}

/** Reads the current settings for a folder. */
export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const config = vscode.workspace.getConfiguration('taskmaster', scope);
  return {
    host: config.get<string>('host', '').trim(),
    port: config.get<number>('port', 0),
    httpPort: config.get<number>('httpPort', 0),
    token: config.get<string>('token', ''),
    autoStartServer: config.get<boolean>('autoStartServer', false),
    conflictStrategy: config.get<ConflictStrategy>('conflictStrategy', 'merge'),
    groupBy: config.get<GroupBy>('groupBy', 'status'),
    cliPath: config.get<string>('cliPath', '').trim(),
  };
}
