import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { fileProblemNotice } from '@taskmaster/client';
import { brokenTagNoticeFor, putBackUpdate, type OverriddenNotice } from '@taskmaster/protocol';
import { serverCommands } from './commands/serverCommands.js';
import { taskCommands } from './commands/taskCommands.js';
import { viewCommands } from './commands/viewCommands.js';
import type { CommandContext, CommandTable } from './commands/context.js';
import { BoardPanel } from './boardPanel.js';
import { ConflictResolver } from './conflicts.js';
import { Connection } from './connection.js';
import { showError } from './errors.js';
import { TASKS_FILE, readCurrentTag } from './projectFiles.js';
import { BUNDLED_CLI, resolveCli } from './serverProcess.js';
import { readSettings, type Settings } from './settings.js';
import { SPARC_FILE, readSparcMappings, sparcModeNameFor, type SparcMappings } from './sparc.js';
import { LegendTreeProvider } from './legendView.js';
import { alertOnNewProblems, conflictAlert, overwrittenNotice } from './problemAlerts.js';
import { SyncStatusBar } from './statusBar.js';
import { TASK_SCHEME, TaskDocumentProvider } from './taskDocument.js';
import { TasksTreeProvider } from './tasksTree.js';
import { TaskViewModel, type ViewChange } from './viewModel.js';

const COMMAND_IDS = [
  'taskmaster.setStatus',
  'taskmaster.addTask',
  'taskmaster.addSubtask',
  'taskmaster.editTitle',
  'taskmaster.editDescription',
  'taskmaster.deleteTask',
  'taskmaster.switchTag',
  'taskmaster.openTask',
  'taskmaster.openBoard',
  'taskmaster.refresh',
  'taskmaster.initialize',
  'taskmaster.startServer',
  'taskmaster.stopServer',
  'taskmaster.copyId',
  'taskmaster.filter',
  'taskmaster.reconnect',
  'taskmaster.showSyncStatus',
  'taskmaster.putBackOverwritten',
  'taskmaster.dismissOverwritten',
];

/** Wires the view model, tree, status bar, connection and commands together. */
export function activate(context: vscode.ExtensionContext): void {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    for (const id of COMMAND_IDS) {
      context.subscriptions.push(
        vscode.commands.registerCommand(id, () => vscode.window.showWarningMessage('TaskMaster: open a folder that contains a .taskmaster directory first.')),
      );
    }
    return;
  }
  let settings: Settings = readSettings(folder.uri);
  let sparc: SparcMappings = {};
  const model = new TaskViewModel({ groupBy: settings.groupBy });
  const sparcMode = (task: { title?: unknown; description?: unknown }) => sparcModeNameFor(task, sparc);
  const treeProvider = new TasksTreeProvider(model, (node) => sparcMode(node.task));
  const tree = vscode.window.createTreeView('taskmaster.tasks', { treeDataProvider: treeProvider, showCollapseAll: true });
  const legend = vscode.window.createTreeView('taskmaster.legend', { treeDataProvider: new LegendTreeProvider() });
  const statusBar = new SyncStatusBar('taskmaster.showSyncStatus');
  const documents = new TaskDocumentProvider(model, sparcMode);
  const conflicts = new ConflictResolver();
  const connection = new Connection(folder, settings);
  const board = new BoardPanel(context.extensionUri, folder.uri.fsPath, () => settings);
  const bundledCli = context.asAbsolutePath(BUNDLED_CLI);
  // No tasks file yet (no .taskmaster, or Task Master's own init before its first parse-prd): the view
  // offers "Initialize Task Master" (viewsWelcome) instead of connecting and failing on a missing file.
  let noProject = !existsSync(path.join(folder.uri.fsPath, TASKS_FILE));
  void vscode.commands.executeCommand('setContext', 'taskmaster.noProject', noProject);
  statusBar.setVisible(!noProject);

  let writable: boolean | undefined;
  const updateChrome = () => {
    const { state, detail } = connection.state;
    // Menus disable the edit commands (their `enablement`) while no server can take an edit.
    if (writable !== connection.writable) {
      writable = connection.writable;
      void vscode.commands.executeCommand('setContext', 'taskmaster.writable', writable);
    }
    tree.description = [`tag ${model.currentTag}`, model.filter && `filter: "${model.filter}"`].filter(Boolean).join(' · ');
    const empty = model.counts().total === 0 && !model.filter;
    const notes = [
      state === 'offline' && empty ? 'Read-only: no sync server is running. Run "TaskMaster: Start Server" to add tasks.' : undefined,
      state === 'offline' && !empty ? 'Read-only: no sync server is running, so editing is off. Run "TaskMaster: Start Server" to edit.' : undefined,
      state === 'error' ? detail : undefined,
      connection.problems.file && fileProblemNotice(connection.problems.file, 'The tree'),
      model.tagProblem() !== undefined ? brokenTagNoticeFor(model.currentTag, model.tagProblem()!) : undefined,
      overwrittenNotice(model.overwritten()),
      model.filter ? `Filtered by "${model.filter}".` : undefined,
    ];
    tree.message = notes.filter(Boolean).join(' ') || undefined;
    statusBar.update(connection.state, model.counts(), model.currentTag);
  };
  // The conflicts of one burst of events (a resync may pull many), told in one pop-up that can put them back.
  const conflictBurst: Array<OverriddenNotice> = [];
  const tellConflicts = async (conflicts: Array<OverriddenNotice>) => {
    const updates = conflicts.flatMap((c) => putBackUpdate(c) ?? []);
    const action = updates.length === 0 ? undefined : updates.length === 1 ? 'Put it back' : 'Put them back';
    const choice = await vscode.window.showInformationMessage(conflictAlert(conflicts), ...(action ? [action] : []));
    if (choice !== action || !action) return;
    try {
      for (const update of updates) await connection.api().call('task.update', update);
    } catch (err) {
      showError('Put back', err);
    }
  };
  const viewChanged = (change: ViewChange) => {
    treeProvider.refresh(change);
    if (change.all || change.ids.length) documents.refreshOpen();
    updateChrome();
  };
  const loadSparc = async () => {
    sparc = await readSparcMappings(folder.uri.fsPath);
    viewChanged({ all: true, ids: [] });
  };

  /** What activation does in a project: the current tag, SPARC mappings, then a server (or the file read-only). */
  const startUp = async () => {
    const tag = await readCurrentTag(folder.uri.fsPath);
    if (tag) viewChanged(model.setCurrentTag(tag));
    await loadSparc();
    await connection.connect(settings);
    if (connection.state.state === 'offline' && settings.autoStartServer) {
      await vscode.commands.executeCommand('taskmaster.startServer');
    }
  };
  /** .taskmaster appeared (Initialize, or `taskmaster init` in a terminal): start up as in a project; once. */
  const projectReady = async () => {
    if (!noProject) return;
    noProject = false;
    await vscode.commands.executeCommand('setContext', 'taskmaster.noProject', false);
    statusBar.setVisible(true);
    await startUp();
  };

  const cli = () => resolveCli(settings.cliPath, bundledCli);
  const ctx: CommandContext = { model, connection, conflicts, board, tree, settings: () => settings, cli, projectReady, viewChanged };
  const commands: CommandTable = { ...taskCommands(ctx), ...viewCommands(ctx), ...serverCommands(ctx) };
  for (const [id, handler] of Object.entries(commands)) context.subscriptions.push(vscode.commands.registerCommand(id, handler));

  const sparcWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, SPARC_FILE));
  sparcWatcher.onDidChange(loadSparc);
  sparcWatcher.onDidCreate(loadSparc);
  sparcWatcher.onDidDelete(loadSparc);
  const projectWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, TASKS_FILE), false, true, true);
  projectWatcher.onDidCreate(() => void projectReady().catch((err: unknown) => showError('connect to the sync server', err)));

  context.subscriptions.push(
    tree,
    legend,
    treeProvider,
    statusBar,
    documents,
    conflicts,
    board,
    connection,
    sparcWatcher,
    projectWatcher,
    vscode.workspace.registerTextDocumentContentProvider(TASK_SCHEME, documents),
    connection.onDidLoad((data) => viewChanged(model.load(data))),
    connection.onDidReceiveEvent((message) => {
      viewChanged(model.applyEvent(message));
      // A conflict is news even when pulled after a disconnect; file problems pop up as they start (below).
      if (message.event === 'sync.conflict' && conflictBurst.push(message.payload as OverriddenNotice) === 1) {
        setTimeout(() => void tellConflicts(conflictBurst.splice(0)), 0);
      }
    }),
    connection.onDidChangeState(updateChrome),
    connection.onDidChangeProblems((problems) => viewChanged(model.setTagProblems(problems.tags))),
    alertOnNewProblems(() => connection.problems, connection.onDidChangeProblems, (alert) => void vscode.window.showWarningMessage(alert)),
    connection.onDidChangeState(({ state }) => {
      if (state === 'live') void board.serverChanged(model.currentTag);
    }),
    // What was written over before this window connected (or while it was away) and still stands.
    connection.onDidReceiveStatus((status) => viewChanged(model.addOverwritten(status.overridden ?? []))),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration('taskmaster', folder.uri)) return;
      const before = settings;
      settings = readSettings(folder.uri);
      viewChanged(model.setGroupBy(settings.groupBy));
      const endpointKeys = ['host', 'port', 'httpPort', 'token'] as const;
      if (endpointKeys.some((key) => before[key] !== settings[key])) void connection.connect(settings);
    }),
  );

  updateChrome();
  if (!noProject) startUp().catch((err: unknown) => showError('connect to the sync server', err));
}

/** Nothing to do: every resource is in the context's subscriptions. */
export function deactivate(): void {}
