import * as vscode from 'vscode';
import { ErrorCode, TaskmasterError } from '@taskmaster/protocol';
import { readTasksFile, TASKS_FILE, type ProjectTasks } from './projectFiles.js';

/**
 * The tasks file without a server: read once, then again on every change the
 * editor's file watcher sees. Used while no sync server answers.
 */
export class ReadOnlySource implements vscode.Disposable {
  private watcher: vscode.FileSystemWatcher | undefined;
  private reading = Promise.resolve();

  constructor(
    private readonly folder: vscode.WorkspaceFolder,
    private readonly onData: (read: ProjectTasks) => void,
    private readonly onError: (err: TaskmasterError) => void,
  ) {}

  /** Reads the file now and watches it until disposed. */
  start(): void {
    if (this.watcher) return;
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(this.folder, TASKS_FILE));
    const reload = () => this.reload();
    this.watcher.onDidChange(reload);
    this.watcher.onDidCreate(reload);
    this.watcher.onDidDelete(reload);
    this.reload();
  }

  /** Reads the file again; reads are serialised so an older read never wins. */
  reload(): void {
    this.reading = this.reading.then(async () => {
      try {
        const read = await readTasksFile(this.folder.uri.fsPath);
        if (this.watcher) this.onData(read);
      } catch (err) {
        this.onError(err instanceof TaskmasterError ? err : new TaskmasterError(ErrorCode.InternalError, String(err)));
      }
    });
  }

  get active(): boolean {
    return this.watcher !== undefined;
  }

  dispose(): void {
    this.watcher?.dispose();
    this.watcher = undefined;
  }
}
