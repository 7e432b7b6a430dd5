import * as vscode from 'vscode';
import { ErrorCode, isTaskmasterError } from '@taskmaster/protocol';
import { showError } from '../errors.js';
import type { CommandContext, CommandTable } from './context.js';

/** Commands that change what is shown: the tree's tag, filter and refresh, and the board. */
export function viewCommands(ctx: CommandContext): CommandTable {
  return {
    'taskmaster.switchTag': async (arg: unknown) => {
      let tag = typeof arg === 'string' && ctx.model.tagNames().includes(arg) ? arg : undefined;
      if (!tag) {
        const picks = ctx.model.tagNames().map((name) => {
          const counts = ctx.model.counts(name);
          return { label: name, description: `${counts.done}/${counts.total} done${name === ctx.model.currentTag ? ' · current' : ''}` };
        });
        tag = (await vscode.window.showQuickPick(picks, { title: 'Show which tag?', placeHolder: 'Choose a tag' }))?.label;
      }
      if (tag) ctx.viewChanged(ctx.model.setCurrentTag(tag));
    },

    'taskmaster.filter': async () => {
      const text = await vscode.window.showInputBox({
        title: 'Filter tasks',
        value: ctx.model.filter,
        placeHolder: 'Words of the id, title, description, status or priority; empty to clear',
      });
      if (text !== undefined) ctx.viewChanged(ctx.model.setFilter(text));
    },

    'taskmaster.openBoard': async () => {
      try {
        await ctx.board.show(ctx.model.currentTag);
      } catch (err) {
        if (!isTaskmasterError(err, ErrorCode.ConnectionFailed)) return showError('open the board', err);
        // The board talks to a server itself: offer to start one, then open it.
        const start = 'Start Server';
        if ((await vscode.window.showWarningMessage(`TaskMaster: ${err.message}.`, start)) !== start) return;
        await vscode.commands.executeCommand('taskmaster.startServer');
        if (ctx.connection.writable) await ctx.board.show(ctx.model.currentTag).catch((e: unknown) => showError('open the board', e));
      }
    },

    'taskmaster.refresh': async () => {
      try {
        await ctx.connection.refresh();
      } catch (err) {
        showError('refresh', err);
      }
    },
  };
}
