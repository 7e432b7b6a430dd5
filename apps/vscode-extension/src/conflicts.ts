import * as vscode from 'vscode';
import { mergeTask, type ConflictData, type MethodResult } from '@taskmaster/protocol';
import type { TaskmasterClient } from '@taskmaster/client';

/** The scheme of the read-only sides of a conflict diff: `taskmaster-conflict:/<id>/mine.json`. */
export const CONFLICT_SCHEME = 'taskmaster-conflict';

type Fields = Record<string, unknown>;
type Choice = 'mine' | 'theirs' | 'merged';

/**
 * Walks a person through a 1006 conflict: a diff of theirs ↔ mine, a choice
 * (keep mine, keep theirs, merge by hand), then `conflict.resolve`.
 */
export class ConflictResolver implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly sides = new Map<string, string>();
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(CONFLICT_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.sides.get(uri.path) ?? '';
  }

  /** Resolves a conflict; returns the server's answer, or undefined when the person cancelled. */
  async resolve(data: ConflictData<Fields>, api: () => TaskmasterClient): Promise<MethodResult<'conflict.resolve'> | undefined> {
    const conflictId = data.conflictId;
    if (!conflictId) throw new Error('the server reported a conflict without an id; refresh and edit again');
    const theirs = data.theirs ?? {};
    const mineUri = this.side(conflictId, 'mine', data.mine);
    const theirsUri = this.side(conflictId, 'theirs', theirs);
    const fields = data.fields.length ? data.fields.join(', ') : 'the task';
    await vscode.commands.executeCommand('vscode.diff', theirsUri, mineUri, `Task ${data.id}: theirs ↔ mine (${fields})`, { preview: true });
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'Keep mine', description: 'overwrite their change with your edit', choice: 'mine' as Choice },
        { label: 'Keep theirs', description: 'drop your edit', choice: 'theirs' as Choice },
        { label: 'Merge…', description: 'edit a merged version by hand', choice: 'merged' as Choice },
      ],
      { title: `Task ${data.id} was changed meanwhile (${fields})`, placeHolder: 'Which version should stay?', ignoreFocusOut: true },
    );
    if (!pick) return undefined;
    if (pick.choice !== 'merged') return api().call('conflict.resolve', { conflictId, choice: pick.choice });
    const merged = await this.editMerged(data, theirs);
    if (!merged) return undefined;
    return api().call('conflict.resolve', { conflictId, choice: 'merged', task: merged });
  }

  /** Opens the merge candidate as editable JSON and waits for the person to confirm it. */
  private async editMerged(data: ConflictData<Fields>, theirs: Fields): Promise<Fields | undefined> {
    const candidate = mergeTask(data.base ?? theirs, data.mine, theirs).merged;
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: `${JSON.stringify(candidate, null, 2)}\n` });
    await vscode.window.showTextDocument(doc, { preview: false });
    for (;;) {
      const answer = await vscode.window.showInformationMessage(
        `Edit the merged version of task ${data.id} (conflicting fields hold their value), then choose Resolve.`,
        'Resolve',
        'Cancel',
      );
      if (answer !== 'Resolve') return undefined;
      try {
        const parsed: unknown = JSON.parse(doc.getText());
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
          await this.closeDraft(doc);
          return parsed as Fields;
        }
        void vscode.window.showErrorMessage('TaskMaster: the merged task must be a JSON object; fix it and choose Resolve again.');
      } catch (err) {
        void vscode.window.showErrorMessage(`TaskMaster: the merged task is not valid JSON (${(err as Error).message}); fix it and choose Resolve again.`);
      }
    }
  }

  private async closeDraft(doc: vscode.TextDocument): Promise<void> {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }

  private side(conflictId: string, name: 'mine' | 'theirs', task: Fields): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: CONFLICT_SCHEME, path: `/${encodeURIComponent(conflictId)}/${name}.json` });
    this.sides.set(uri.path, `${JSON.stringify(task, null, 2)}\n`);
    return uri;
  }

  dispose(): void {
    this.registration.dispose();
    this.sides.clear();
  }
}
