import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import type { ConnectionFile } from '@taskmaster/protocol';
import { shippedBoardDir } from '../board-dir.js';
import { flag, str, type Command } from '../command.js';
import { CliError, CliErrorCode, usageError } from '../cli-error.js';
import { startDaemon } from '../daemon.js';
import { ExitCode } from '../exit-codes.js';
import { openUrl } from '../open-url.js';
import { color, note, printJson, say } from '../output.js';
import { projectRoot } from '../project.js';
import { serverOptions } from './sync-server-start.js';

const USAGE = 'board [--open] [--host 0.0.0.0 (--cert <file> --key <file> | --insecure-lan)] [--port <port>] [--http-port <port>] [--json]';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** `taskmaster board`: the live board in a browser, served by the sync server (started if needed). */
export const command: Command = {
  spec: {
    name: 'board',
    summary: 'open the live board in a browser (starts the sync server if needed)',
    usage: USAGE,
    options: {
      open: { type: 'boolean', description: "open the board in the browser ($BROWSER, else the system's)" },
      host: { type: 'string', value: '<host>', description: 'interface for a new server (0.0.0.0: the LAN, for phones; needs TLS or --insecure-lan)' },
      port: { type: 'string', value: '<port>', description: 'WebSocket port of a new server (default from config/sync.json; 0 = any free port)' },
      'http-port': { type: 'string', value: '<port>', description: 'HTTP port of a new server, where the board is (0 = any free port)' },
      cert: { type: 'string', value: '<file>', description: 'serve https:// and wss:// with this PEM certificate (needs --key)' },
      key: { type: 'string', value: '<file>', description: 'the PEM private key of --cert' },
      'insecure-lan': { type: 'boolean', description: 'allow --host 0.0.0.0 over plain http (a trusted network only: the token travels unencrypted)' },
      json: { type: 'boolean', description: 'print {url, lanUrls} as JSON' },
    },
    examples: ['taskmaster board', 'taskmaster board --open', 'taskmaster board --host 0.0.0.0 --cert lan.crt --key lan.key', 'taskmaster board --host 0.0.0.0 --insecure-lan'],
    notes: [
      'Prints the board\'s address with the token in its fragment (#token=…): browsers never send a fragment,',
      'and the page moves it into the tab\'s sessionStorage at once. Anyone holding that address can change',
      'the tasks: share it like a password. A server already running is reused (its host and ports).',
      'On the LAN (--host 0.0.0.0) a token is required, and TLS (--cert/--key) unless --insecure-lan;',
      'the address of each network interface is printed with a QR code for phones.',
    ].join('\n'),
  },
  async run(args) {
    const host = str(args, 'host');
    const lan = host !== undefined && !LOOPBACK.has(host);
    const options = serverOptions(args, USAGE);
    if (lan && !options.tls && !flag(args, 'insecure-lan')) {
      throw usageError(
        `--host ${host} serves the board to the network: give --cert and --key (https), or --insecure-lan on a network you trust`,
        `taskmaster ${USAGE}`,
      );
    }
    if (!shippedBoardDir()) {
      throw new CliError(CliErrorCode.InternalError, 'this CLI was built without the board', 'build it: pnpm --filter @taskmaster/board build, then pnpm --filter @taskmaster/cli build');
    }
    const root = await projectRoot(args, { fallbackToCwd: true });
    const { initProject, openStore } = await import('@taskmaster/store');
    if (!existsSync(path.join(root, '.taskmaster'))) note(`initialised .taskmaster in ${root}`);
    await initProject(root);
    const store = await openStore(root, { actor: 'cli' });
    if (lan && options.token === undefined && store.config.auth === 'none') {
      throw new CliError(CliErrorCode.InvalidParams, 'a board on the network needs a token, and config/sync.json says "auth": "none"', 'remove "auth": "none", or pass --generate-token', {
        exitCode: ExitCode.UserError,
      });
    }
    const { connection, alreadyRunning } = await startDaemon(store, root, options, note);
    if (alreadyRunning && host !== undefined && connection.host !== host) {
      throw new CliError(CliErrorCode.ConnectionFailed, `a sync server already runs on ${connection.host}, not ${host}`, "stop it first: 'taskmaster sync server stop'", {
        exitCode: ExitCode.UserError,
      });
    }
    if (lan && connection.token === undefined) {
      throw new CliError(CliErrorCode.InvalidParams, 'the running server requires no token; it cannot serve the board to the network', "stop it ('taskmaster sync server stop') and start the board again");
    }
    await ensureBoardServed(connection);
    const url = boardUrl(connection.httpUrl, connection.token);
    const lanUrls = lan ? lanAddresses().map((a) => boardUrl(`${connection.scheme === 'wss' ? 'https' : 'http'}://${a}:${connection.httpPort}`, connection.token)) : [];
    if (flag(args, 'json')) return printJson({ url, lanUrls, alreadyRunning });
    say(`${color.green('Board')}: ${url}`);
    for (const lanUrl of lanUrls) {
      say(`  on the network: ${lanUrl}`);
      say(await qrCode(lanUrl));
    }
    if (connection.token !== undefined) say(color.dim('  The address carries the token: share it like a password.'));
    if (flag(args, 'open')) openUrl(url, (why) => note(`could not open a browser (${why}); open the address above`));
  },
};

/** The board's address; the token goes in the fragment, which browsers never send to a server. */
function boardUrl(httpUrl: string, token: string | undefined): string {
  return token === undefined ? `${httpUrl}/` : `${httpUrl}/#token=${encodeURIComponent(token)}`;
}

/** A server started by an older CLI serves no board: say how to get one instead of printing a dead address. */
async function ensureBoardServed(connection: ConnectionFile): Promise<void> {
  let status: number;
  try {
    status = (await fetch(`${connection.httpUrl}/board/config.json`, { signal: AbortSignal.timeout(5000) })).status;
  } catch {
    // A self-signed https server fails fetch's certificate check; the browser will ask the user instead.
    if (connection.scheme === 'wss') return;
    throw new CliError(CliErrorCode.ConnectionFailed, `the sync server at ${connection.httpUrl} does not answer`, "see 'taskmaster sync server status'");
  }
  if (status === 404) {
    throw new CliError(CliErrorCode.ConnectionFailed, 'the running sync server serves no board (it was started by an older CLI)', "restart it: 'taskmaster sync server stop', then 'taskmaster board'");
  }
}

/** This machine's IPv4 addresses other than loopback: what a phone on the same network can reach. */
function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((i) => i.family === 'IPv4' && !i.internal)
    .map((i) => i.address);
}

/** A QR code of `text` for the terminal; empty when qrcode-terminal is not there (the standalone bundle). */
async function qrCode(text: string): Promise<string> {
  let qrcode: typeof import('qrcode-terminal');
  try {
    qrcode = (await import('qrcode-terminal')).default;
  } catch {
    return '';
  }
  return new Promise((resolve) => qrcode.generate(text, { small: true }, resolve));
}
