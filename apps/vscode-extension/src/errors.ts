import * as vscode from 'vscode';
import { errorText } from './errorText.js';

/** Shows {@link errorText} as an error notification. */
export function showError(action: string, err: unknown): void {
  void vscode.window.showErrorMessage(errorText(action, err));
}
