import { describe, expect, it } from 'vitest';
import { boardCsp, boardHtml, escapeAttribute } from '../src/boardHtml.js';
import { boardEndpoints } from '../src/endpoints.js';

/** The board's index.html as Vite writes it (apps/board/vite.config.ts: relative base, nothing inlined). */
const VITE_INDEX = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>TaskMaster board</title>
    <link rel="icon" href="data:," />
    <script type="module" crossorigin src="./assets/index-konFM0jB.js"></script>
    <link rel="stylesheet" crossorigin href="./assets/index-Btw1Z1TF.css">
  </head>
  <body>
    <div id="app"></div>
  </body>
</html>`;

const RESOURCE = 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/board';
const page = (config = { url: 'ws://127.0.0.1:5173/taskmaster', httpUrl: 'http://127.0.0.1:5174', token: 'sekrit"&<token>', tag: 'master' }) =>
  boardHtml(VITE_INDEX, { config, nonce: 'abc123', cspSource: 'https://*.vscode-cdn.net', assetUri: (p) => `${RESOURCE}/${p}` });

/** The attribute values of every `<meta name="...">` and the CSP. */
function metaContent(html: string, selector: RegExp): string {
  const match = selector.exec(html);
  if (!match) throw new Error(`no ${selector} in ${html}`);
  return match[1]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

describe('the board page in a webview', () => {
  it('loads the scripts and styles from the webview resource origin, scripts only with the nonce', () => {
    const html = page();
    expect(html).toContain(`<script nonce="abc123" type="module" src="${RESOURCE}/assets/index-konFM0jB.js"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="${RESOURCE}/assets/index-Btw1Z1TF.css">`);
    expect(html).toContain('<link rel="icon" href="data:," />');
    expect(html).not.toContain('"./assets/');
  });

  it('hands the board its server, token and tag in the taskmaster-board meta tag, escaped', () => {
    const config = JSON.parse(metaContent(page(), /<meta name="taskmaster-board" content="([^"]*)">/));
    expect(config).toEqual({ url: 'ws://127.0.0.1:5173/taskmaster', httpUrl: 'http://127.0.0.1:5174', token: 'sekrit"&<token>', tag: 'master' });
  });

  it('allows nothing but the board files, nonce scripts and that one server', () => {
    const csp = metaContent(page(), /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/);
    expect(csp.split('; ')).toEqual([
      "default-src 'none'",
      "script-src 'nonce-abc123' https://*.vscode-cdn.net",
      'style-src https://*.vscode-cdn.net',
      'img-src https://*.vscode-cdn.net data:',
      'font-src https://*.vscode-cdn.net',
      'connect-src ws://127.0.0.1:5173 http://127.0.0.1:5174',
      "base-uri 'none'",
      "form-action 'none'",
    ]);
    expect(csp).not.toContain('unsafe');
    expect(boardCsp({ config: { url: 'wss://host:9000/taskmaster' }, nonce: 'n', cspSource: 'x' })).toContain('connect-src wss://host:9000;');
  });

  it('escapes attribute text', () => {
    expect(escapeAttribute('a"b<c>&')).toBe('a&quot;b&lt;c&gt;&amp;');
  });
});

describe('boardEndpoints', () => {
  const none = { host: '', port: 0, httpPort: 0, token: '' };
  const discovered = { wsUrl: 'ws://127.0.0.1:5173/taskmaster', httpUrl: 'http://127.0.0.1:5174', token: 't0k3n' };

  it("takes the running server's addresses and token from connection.json", () => {
    expect(boardEndpoints(none, discovered)).toEqual({ url: 'ws://127.0.0.1:5173/taskmaster', httpUrl: 'http://127.0.0.1:5174', token: 't0k3n' });
  });

  it('lets the settings override them, and has nothing when no server is named', () => {
    expect(boardEndpoints({ host: 'localhost', port: 6000, httpPort: 0, token: 'mine' }, discovered)).toEqual({
      url: 'ws://localhost:6000/taskmaster',
      httpUrl: 'http://127.0.0.1:5174',
      token: 'mine',
    });
    expect(boardEndpoints(none, undefined)).toBeUndefined();
  });
});
