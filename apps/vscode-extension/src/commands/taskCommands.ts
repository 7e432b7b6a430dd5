import * as vscode from 'vscode';
import { ErrorCode, TASK_STATUSES, isTaskmasterError, overriddenNoticeId, overriddenText, putBackUpdate, type ConflictData, type TaskStatus, type TaskUpdateParams } from '@taskmaster/protocol';
import { readOnlyReason } from '../connection.js';
import { showError } from '../errors.js';
import { openTaskDocument } from '../taskDocument.js';
import type { TaskNode } from '../viewModel.js';
import type { CommandContext, CommandTable } from './context.js';
import { resolveTask } from './pickTask.js';

/** Commands that read or change one task: status, title, description, subtasks, delete, copy, open. */
export function taskCommands(ctx: CommandContext): CommandTable {
  const target = (arg: unknown, title: string, topLevelOnly = false) => resolveTask(ctx.model, ctx.tree, arg, { title, topLevelOnly });

  const update = async (node: TaskNode, changes: Pick<TaskUpdateParams, 'title' | 'description'>, action: string) => {
    const params: TaskUpdateParams = {
      id: node.taskId,
      tag: node.tag,
      ...changes,
      base: structuredClone(node.task) as Record<string, unknown>,
      strategy: ctx.settings().conflictStrategy,
    };
    try {
      await ctx.connection.api().call('task.update', params);
    } catch (err) {
      if (!isTaskmasterError(err, ErrorCode.SyncConflict)) throw err;
      const resolved = await ctx.conflicts.resolve(err.data as ConflictData<Record<string, unknown>>, () => ctx.connection.api());
      if (!resolved) void vscode.window.showWarningMessage(`TaskMaster: ${action} of task ${node.taskId} was not saved; the conflict is unresolved.`);
    }
  };

  const guarded =
    (action: string, run: (arg: unknown) => Promise<void>) =>
    async (arg: unknown): Promise<void> => {
      try {
        await run(arg);
      } catch (err) {
        showError(action, err);
      }
    };

  /**
   * A command that changes tasks: while read-only it says why and offers to start a server
   * before asking anything (the menus disable it too, via the taskmaster.writable context key).
   */
  const editing =
    (action: string, run: (arg: unknown) => Promise<void>) =>
    async (arg: unknown): Promise<void> => {
      if (!ctx.connection.writable) {
        const start = 'Start Server';
        const answer = await vscode.window.showWarningMessage(`TaskMaster: cannot ${action} — ${readOnlyReason(ctx.connection.state.state)}.`, start);
        if (answer === start) await vscode.commands.executeCommand('taskmaster.startServer');
        return;
      }
      await guarded(action, run)(arg);
    };

  return {
    'taskmaster.setStatus': editing('set the status', async (arg) => {
      const node = await target(arg, 'Set the status of which task?');
      if (!node) return;
      const pick = await vscode.window.showQuickPick(
        TASK_STATUSES.map((status) => ({ label: status, description: status === node.status ? 'current' : undefined })),
        { title: `Status of task ${node.taskId}: ${node.task.title}`, placeHolder: 'Choose the new status' },
      );
      if (!pick || pick.label === node.status) return;
      await ctx.connection.api().call('task.setStatus', { ids: [node.taskId], status: pick.label as TaskStatus, tag: node.tag });
    }),

    'taskmaster.editTitle': editing('edit the title', async (arg) => {
      const node = await target(arg, 'Edit the title of which task?');
      if (!node) return;
      // Text being typed outlives focus moving (a click elsewhere, a view repainting for another's change): Escape cancels.
      const title = await vscode.window.showInputBox({
        title: `Title of task ${node.taskId}`,
        value: node.task.title,
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim() ? undefined : 'A title cannot be empty'),
      });
      if (title === undefined || title.trim() === node.task.title) return;
      await update(node, { title: title.trim() }, 'the title');
    }),

    'taskmaster.editDescription': editing('edit the description', async (arg) => {
      const node = await target(arg, 'Edit the description of which task?');
      if (!node) return;
      const description = await vscode.window.showInputBox({ title: `Description of task ${node.taskId}`, value: node.task.description ?? '', ignoreFocusOut: true });
      if (description === undefined || description === (node.task.description ?? '')) return;
      await update(node, { description }, 'the description');
    }),

    'taskmaster.addTask': editing('add a task', async () => {
      const title = await vscode.window.showInputBox({
        title: `New task in tag ${ctx.model.currentTag}`,
        placeHolder: 'Title',
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim() ? undefined : 'A title cannot be empty'),
      });
      if (!title) return;
      const description = await vscode.window.showInputBox({ title: 'Description (optional)', placeHolder: 'Press Enter to skip', ignoreFocusOut: true });
      if (description === undefined) return;
      const task = description.trim() ? { title: title.trim(), description: description.trim() } : { title: title.trim() };
      await ctx.connection.api().call('task.create', { tag: ctx.model.currentTag, task });
    }),

    'taskmaster.addSubtask': editing('add a subtask', async (arg) => {
      const parent = await target(arg, 'Add a subtask to which task?', true);
      if (!parent) return;
      const title = await vscode.window.showInputBox({
        title: `New subtask of task ${parent.taskId}`,
        placeHolder: 'Title',
        validateInput: (value) => (value.trim() ? undefined : 'A title cannot be empty'),
      });
      if (!title) return;
      await ctx.connection.api().call('task.create', { tag: parent.tag, parentId: parent.taskId, task: { title: title.trim() } });
    }),

    'taskmaster.deleteTask': editing('delete the task', async (arg) => {
      const node = await target(arg, 'Delete which task?');
      if (!node) return;
      const answer = await vscode.window.showWarningMessage(
        `Delete task ${node.taskId} "${node.task.title}"?`,
        { modal: true, detail: node.kind === 'task' ? 'Its subtasks are deleted too, and other tasks stop depending on it.' : undefined },
        'Delete',
      );
      if (answer !== 'Delete') return;
      await ctx.connection.api().call('task.delete', { id: node.taskId, tag: node.tag });
    }),

    'taskmaster.putBackOverwritten': editing('put back an overwritten change', async () => {
      // What the tree's message names: the tag on view's changes another program wrote over, still standing.
      const items = ctx.model.overwritten().flatMap((c) => {
        const update = putBackUpdate(c);
        return update ? [{ label: `Task ${c.id}: ${c.fields.join(', ')}`, detail: overriddenText(c), update }] : [];
      });
      if (items.length === 0) {
        void vscode.window.showInformationMessage(`TaskMaster: nothing another program wrote over in tag ${ctx.model.currentTag} can be put back.`);
        return;
      }
      const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Put back which change? (the values it had here)', matchOnDetail: true });
      if (picked) await ctx.connection.api().call('task.update', picked.update);
    }),

    'taskmaster.dismissOverwritten': editing('dismiss an overwritten change', async () => {
      // The other side of putting back: what the other program wrote stays, and every client drops the notice.
      const items = ctx.model.overwritten().map((c) => ({ label: `Task ${c.id}: ${c.fields.join(', ')}`, detail: overriddenText(c), notice: overriddenNoticeId(c) }));
      if (items.length === 0) {
        void vscode.window.showInformationMessage(`TaskMaster: nothing another program wrote over in tag ${ctx.model.currentTag} stands.`);
        return;
      }
      const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Keep what the other program wrote for which change?', matchOnDetail: true });
      if (!picked) return;
      const { dismissed } = await ctx.connection.api().call('overridden.dismiss', { notice: picked.notice });
      // The server's event drops it; one the server no longer lists (its last hundred) goes here.
      if (!dismissed) ctx.viewChanged(ctx.model.dismissOverwritten(picked.notice));
    }),

    'taskmaster.copyId': guarded('copy the task id', async (arg) => {
      const node = await target(arg, 'Copy the id of which task?');
      if (!node) return;
      await vscode.env.clipboard.writeText(node.taskId);
      vscode.window.setStatusBarMessage(`Copied task id ${node.taskId}`, 2000);
    }),

    'taskmaster.openTask': guarded('open the task', async (arg) => {
      const node = await target(arg, 'Open which task?');
      if (!node) return;
      // The board's details drawer edits every field; without a server to reach, a read-only preview.
      const shown = await ctx.board.show(node.tag, node.taskId).then(
        () => true,
        (err: unknown) => {
          if (isTaskmasterError(err, ErrorCode.ConnectionFailed) || isTaskmasterError(err, ErrorCode.InternalError)) return false;
          throw err;
        },
      );
      if (!shown) await openTaskDocument(node.tag, node.taskId, node.task.title);
    }),
  };
}

