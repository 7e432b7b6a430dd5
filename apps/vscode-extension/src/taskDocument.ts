import * as vscode from 'vscode';
import { documentName, taskDocument } from './taskMarkdown.js';
import { taskNodeId, type TaskViewModel } from './viewModel.js';

/** The scheme of read-only task documents: `taskmaster-task:/<tag>/<id>/<name>`. */
export const TASK_SCHEME = 'taskmaster-task';

/**
 * The uri of a task's document. Its last segment is what editors show as the
 * tab's title (`Preview Task 24: Implement the parser`), so it names the task
 * instead of a file; lookups use only the tag and id.
 */
export function taskUri(tag: string, taskId: string, title: string): vscode.Uri {
  return vscode.Uri.from({ scheme: TASK_SCHEME, path: `/${encodeURIComponent(tag)}/${taskId}/${documentName(taskId, title)}` });
}


/** Renders tasks as markdown documents, re-rendered whenever the task changes. */
export class TaskDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly model: TaskViewModel,
    private readonly sparcMode: (task: { title?: unknown; description?: unknown }) => string | undefined,
  ) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, rawTag, taskId = ''] = uri.path.split('/');
    const tag = decodeURIComponent(rawTag ?? '');
    const task = this.model.task(tag, taskId);
    if (!task) return `# Task ${taskId}\n\nThis task no longer exists in tag ${tag}.\n`;
    const node = this.model.node(taskNodeId(tag, taskId));
    const facts = node && node.kind !== 'group' ? this.model.factsOf(node) : {};
    return taskDocument({ tag, taskId, task, sparcMode: this.sparcMode(task), ...facts });
  }

  /** Re-renders every open task document (cheap: only open ones are asked again). */
  refreshOpen(): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme === TASK_SCHEME) this.changed.fire(doc.uri);
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Opens a task as a rendered markdown preview titled after the task, or as plain markdown when previews are unavailable. */
export async function openTaskDocument(tag: string, taskId: string, title: string): Promise<void> {
  const uri = taskUri(tag, taskId, title);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { preview: true });
  }
}
