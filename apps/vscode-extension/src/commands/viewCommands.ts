import * as vscode from 'vscode';
import { showError } from '../errors.js';
import type { CommandContext, CommandTable } from './context.js';

/** Commands that change what the tree shows: tag, filter, refresh. */
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

    'taskmaster.refresh': async () => {
      try {
        await ctx.connection.refresh();
      } catch (err) {
        showError('refresh', err);
      }
    },
  };
}
