import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { ErrorCode, TaskmasterError, validateTasksFile, type TasksFile } from '@taskmaster/protocol';

/** The tasks file, relative to the project root. */
export const TASKS_FILE = '.taskmaster/tasks/tasks.json';
/** Task Master's own state (holds `currentTag`), relative to the project root. */
export const STATE_FILE = '.taskmaster/state.json';

/** Reads and validates the project's tasks file; throws a TaskmasterError a user can act on. */
export async function readTasksFile(root: string): Promise<TasksFile> {
  let text: string;
  try {
    text = await readFile(path.join(root, TASKS_FILE), 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new TaskmasterError(
      ErrorCode.FileAccessDenied,
      missing ? `${TASKS_FILE} does not exist yet; run 'taskmaster init' or add a task` : `cannot read ${TASKS_FILE}: ${(err as Error).message}`,
    );
  }
  try {
    return validateTasksFile(JSON.parse(text));
  } catch (err) {
    throw new TaskmasterError(ErrorCode.InvalidMessage, `${TASKS_FILE} is not a valid tasks file (${(err as Error).message.split('\n')[0]}); fix it and save again`);
  }
}

/** The tag Task Master has selected (`state.json`'s `currentTag`), if any. */
export async function readCurrentTag(root: string): Promise<string | undefined> {
  try {
    const state = JSON.parse(await readFile(path.join(root, STATE_FILE), 'utf8')) as { currentTag?: unknown };
    return typeof state.currentTag === 'string' && state.currentTag ? state.currentTag : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The tasks file without a server: read once, then again on every change the
 * editor's file watcher sees. Used while no sync server answers.
 */
export class ReadOnlySource implements vscode.Disposable {
  private watcher: vscode.FileSystemWatcher | undefined;
  private reading = Promise.resolve();

  constructor(
    private readonly folder: vscode.WorkspaceFolder,
    private readonly onData: (data: TasksFile) => void,
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
        const data = await readTasksFile(this.folder.uri.fsPath);
        if (this.watcher) this.onData(data);
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
