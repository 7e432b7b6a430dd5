import { afterEach, describe, expect, it } from 'vitest';
import { isVscodeWebviewOrigin } from '../src/security.js';
import { RawClient, cleanup, makeProject, startServer } from './helpers.js';

afterEach(cleanup);

/** The board inside VS Code: its webview's origin is `vscode-webview://<id>`, a new id per panel. */
describe("a VS Code webview's origin", () => {
  it('is let through to the WebSocket, still with the token required', async () => {
    const server = await startServer(await makeProject(), { token: true });
    const board = await RawClient.connect(server.wsUrl, { origin: 'vscode-webview://0a1b2c3d4e5f6g7h8i9j' });
    expect((await board.result('ping')).pong).toBe(true);
    await expect(RawClient.connect(server.wsUrl, { origin: 'vscode-webview://0a1b2c3d4e5f6g7h8i9j', token: false })).rejects.toMatchObject({ status: 401 });
  });

  it('is recognised by its scheme only, not by look-alikes', () => {
    expect(isVscodeWebviewOrigin('vscode-webview://1b2f7a9e-4c1d-4f3e-9a5b-0c8d7e6f5a4b')).toBe(true);
    expect(isVscodeWebviewOrigin('https://vscode-webview.evil.example')).toBe(false);
    expect(isVscodeWebviewOrigin('vscode-webview://evil.example/path')).toBe(false);
  });
});
