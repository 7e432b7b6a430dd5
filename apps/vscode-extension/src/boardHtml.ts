import type { BoardMeta } from '@taskmaster/protocol';

/**
 * The board's `index.html` (built by apps/board) made into a webview page:
 * asset URLs the webview may load, a nonce on every script, a strict
 * Content-Security-Policy and the board's configuration. Pure: no vscode
 * import, so the rewriting is unit-tested.
 */

/** What the board reads from `<meta name="taskmaster-board" content="{json}">`: protocol's strict BoardMeta contract. */
export type BoardConfig = BoardMeta;

/** What the page builder needs from the webview. */
export interface BoardPageOptions {
  config: BoardConfig;
  /** A fresh random value per page: only scripts carrying it run. */
  nonce: string;
  /** The webview's `cspSource`: where its local resources come from. */
  cspSource: string;
  /** The webview URI of a file of the board's build, from its path relative to `index.html` (`assets/index-1a2b.js`). */
  assetUri(relativePath: string): string;
}

/** Escapes text for a double-quoted HTML attribute. */
export function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `ws://127.0.0.1:5173/taskmaster` → `ws://127.0.0.1:5173`: a CSP source for that server only. */
export function cspOrigin(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

/** The policy: nothing but the board's own files, scripts with the nonce, and the one sync server. */
export function boardCsp(options: Pick<BoardPageOptions, 'config' | 'nonce' | 'cspSource'>): string {
  const { config, nonce, cspSource } = options;
  const servers = [config.url, config.httpUrl].filter((u): u is string => Boolean(u)).map(cspOrigin);
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' ${cspSource}`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `connect-src ${[...new Set(servers)].join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** True for a URL the page's own folder holds (`./assets/x.js`, `assets/x.css`), not `data:`, `https:`, `/x` or `#x`. */
function isRelativeAsset(url: string): boolean {
  return !/^([a-z][a-z0-9+.-]*:|\/|#)/i.test(url);
}

/** The webview page of the board. */
export function boardHtml(indexHtml: string, options: BoardPageOptions): string {
  const head = [
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(boardCsp(options))}">`,
    `<meta name="taskmaster-board" content="${escapeAttribute(JSON.stringify(options.config))}">`,
  ].join('\n    ');
  return (
    indexHtml
      // Resources load from the webview's resource origin; relative paths would resolve against the webview's own page.
      .replace(/\b(src|href)="([^"]*)"/g, (whole, attribute: string, url: string) =>
        isRelativeAsset(url) ? `${attribute}="${escapeAttribute(options.assetUri(url.replace(/^\.\//, '')))}"` : whole,
      )
      // The resource origin answers without CORS headers in some hosts: plain (no-cors) loads always work for styles.
      .replace(/\s+crossorigin(="[^"]*")?/g, '')
      .replace(/<script\b/g, `<script nonce="${options.nonce}"`)
      .replace(/<head>/i, `<head>\n    ${head}`)
  );
}
