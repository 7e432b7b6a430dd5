import * as vscode from 'vscode';
import { showError } from '../errors.js';
import { runCli, startServer, stopServer } from '../serverProcess.js';
import { statusText } from '../statusBar.js';
import type { CommandContext, CommandTable } from './context.js';

/** Commands about the project and its sync server: initialize, start, stop, reconnect, and the status bar's quick pick. */
export function serverCommands(ctx: CommandContext): CommandTable {
  const initialize = async () => {
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Initializing Task Master' }, () =>
        runCli(ctx.cli(), ctx.connection.root, ['init']),
      );
      await ctx.projectReady();
    } catch (err) {
      showError('initialize Task Master', err);
    }
  };

  const start = async () => {
    const settings = ctx.settings();
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Starting the TaskMaster sync server' }, () =>
        startServer(ctx.cli(), ctx.connection.root, { port: settings.port, httpPort: settings.httpPort }),
      );
      // The client re-reads connection.json before every attempt; reconnect now rather than after its backoff.
      await ctx.connection.connect(settings);
    } catch (err) {
      showError('start the sync server', err);
    }
  };

  const stop = async () => {
    try {
      await stopServer(ctx.cli(), ctx.connection.root);
    } catch (err) {
      showError('stop the sync server', err);
    }
  };

  const reconnect = async () => {
    await ctx.connection.connect(ctx.settings());
  };

  return {
    'taskmaster.initialize': initialize,
    'taskmaster.startServer': start,
    'taskmaster.stopServer': stop,
    'taskmaster.reconnect': reconnect,
    'taskmaster.showSyncStatus': async () => {
      const { state, detail } = ctx.connection.state;
      const info: string[] = [];
      if (ctx.connection.writable) {
        try {
          const status = await ctx.connection.api().call('sync.status');
          info.push(`server pid ${status.pid}, revision ${status.revision}, ${status.connections.length} connection(s), up ${Math.round(status.uptimeMs / 1000)} s`);
        } catch (err) {
          info.push(`sync.status failed: ${(err as Error).message}`);
        }
      }
      const items: Array<vscode.QuickPickItem & { run?: () => Promise<void> }> = [
        { label: statusText(state, ctx.model.counts()), description: `tag ${ctx.model.currentTag}`, detail: [detail, ...info].filter(Boolean).join(' — ') || undefined },
        { label: '', kind: vscode.QuickPickItemKind.Separator },
        { label: '$(plug) Reconnect', run: reconnect },
        { label: '$(play) Start server', run: start },
        { label: '$(debug-stop) Stop server', run: stop },
        { label: '$(refresh) Refresh', run: async () => void (await vscode.commands.executeCommand('taskmaster.refresh')) },
      ];
      const pick = await vscode.window.showQuickPick(items, { title: 'TaskMaster Sync', placeHolder: 'Sync status and actions' });
      await pick?.run?.();
    },
  };
}
