import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { discoverServer } from '@taskmaster/client';
import { ErrorCode, TaskmasterError } from '@taskmaster/protocol';
import { boardHtml, type BoardConfig } from './boardHtml.js';
import { boardEndpoints } from './endpoints.js';
import type { Settings } from './settings.js';

/** Where the build puts the board (scripts/copy-board.mjs), relative to the extension. */
export const BOARD_DIR = ['dist', 'board'] as const;

/**
 * "TaskMaster: Open Board": the board's own bundle (apps/board) in a webview
 * panel, talking to the sync server itself. One panel per window; opening it
 * again brings it to the front. The webview may load only the board's folder.
 */
export class BoardPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** The server the open page talks to (address and token), to tell when a restarted server needs a new page. */
  private shownServer = '';
  private shownTag: string | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly root: string,
    private readonly settings: () => Settings,
  ) {}

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /**
   * Opens (or reveals) the board on `tag`, with `focus`'s details drawer open
   * when given. Throws 1001 when no sync server runs: the board needs one.
   */
  async show(tag: string, focus?: string): Promise<void> {
    const config = await this.config(tag);
    if (focus !== undefined) config.focus = focus;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('taskmaster.board', 'TaskMaster Board', vscode.ViewColumn.Active, {
        enableScripts: true,
        localResourceRoots: [this.boardRoot()],
      });
      this.panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'tasks.svg');
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.shownServer = '';
      });
    }
    // A page already showing this server and no task to open stays as it is (its filters, its scroll).
    if (focus !== undefined || serverOf(config) !== this.shownServer || config.tag !== this.shownTag) await this.render(config);
    this.panel.reveal();
  }

  /**
   * Called when the extension reconnects: a restarted server has new ports or a new
   * token, which the open page cannot learn by itself, so it gets a new page.
   */
  async serverChanged(tag: string): Promise<void> {
    if (!this.panel) return;
    const config = await this.config(tag).catch(() => undefined);
    if (config && serverOf(config) !== this.shownServer) await this.render(config);
  }

  private async config(tag: string): Promise<BoardConfig> {
    const discovered = await discoverServer(this.root);
    const endpoints = boardEndpoints(this.settings(), discovered);
    if (!endpoints) {
      throw new TaskmasterError(ErrorCode.ConnectionFailed, 'the board needs a running sync server; run "TaskMaster: Start Server" (or taskmaster sync server start)');
    }
    return { ...endpoints, tag };
  }

  private async render(config: BoardConfig): Promise<void> {
    const webview = this.panel!.webview;
    const boardRoot = this.boardRoot();
    let indexHtml: string;
    try {
      indexHtml = await readFile(vscode.Uri.joinPath(boardRoot, 'index.html').fsPath, 'utf8');
    } catch {
      throw new TaskmasterError(ErrorCode.InternalError, 'this build of the extension has no board (dist/board/index.html); rebuild it with pnpm --filter taskmaster-sync-vscode build');
    }
    webview.html = boardHtml(indexHtml, {
      config,
      nonce: randomBytes(16).toString('base64'),
      cspSource: webview.cspSource,
      assetUri: (relativePath) => webview.asWebviewUri(vscode.Uri.joinPath(boardRoot, ...relativePath.split('/'))).toString(),
    });
    this.shownServer = serverOf(config);
    this.shownTag = config.tag;
  }

  private boardRoot(): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, ...BOARD_DIR);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

function serverOf(config: BoardConfig): string {
  return JSON.stringify([config.url, config.httpUrl, config.token]);
}
