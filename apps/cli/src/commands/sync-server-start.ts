import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { flag, str, type Command, type ParsedArgs } from '../command.js';
import { CliError, CliErrorCode, usageError } from '../cli-error.js';
import { LEGACY_TOKEN_ENV, startDaemon, TOKEN_ENV, type DaemonOptions } from '../daemon.js';
import { ExitCode } from '../exit-codes.js';
import { color, colorErr, note, printJson, say } from '../output.js';
import { connectionFileShown, projectRoot } from '../project.js';
import { tokenOption } from '../token-option.js';

const USAGE =
  'sync server start [--port 5173] [--http-port 5174] [--host 127.0.0.1] [--token-file <file> | --generate-token] [--cert <file> --key <file>] [--foreground] [--json]';

/** `taskmaster sync server start`: the sync server as a daemon, or in this process with `--foreground`. */
export const command: Command = {
  spec: {
    name: 'sync server start',
    summary: 'start the sync server (a background daemon, or --foreground)',
    usage: USAGE,
    options: {
      port: { type: 'string', value: '<port>', description: 'WebSocket port (default 5173, from config/sync.json; 0 = any free port)' },
      'http-port': { type: 'string', value: '<port>', description: 'HTTP fallback port (default 5174; 0 = any free port)' },
      host: { type: 'string', value: '<host>', description: 'interface to listen on (default 127.0.0.1)' },
      'token-file': { type: 'string', value: '<file>', description: 'require the token in this file (trailing newline ignored; keep it mode 600)' },
      token: { type: 'string', value: '<token>', description: 'like --token-file, but visible to every local user (warns); prefer --token-file or $TASKMASTER_TOKEN' },
      'generate-token': { type: 'boolean', description: 'require a fresh random token, even if sync.json sets "token" or "auth": "none"' },
      cert: { type: 'string', value: '<file>', description: 'serve wss:// and https:// with this PEM certificate (needs --key)' },
      key: { type: 'string', value: '<file>', description: 'the PEM private key of --cert' },
      foreground: { type: 'boolean', description: 'run in this process until Ctrl-C instead of as a daemon' },
      json: { type: 'boolean', description: 'print the connection (without the token) as JSON' },
    },
    examples: [
      'taskmaster sync server start',
      'taskmaster sync server start --port 6000 --http-port 6001',
      'taskmaster sync server start --token-file ~/.config/taskmaster/token',
      'taskmaster sync server start --foreground',
      'taskmaster sync server start --cert localhost.crt --key localhost.key',
    ],
    notes: [
      'Creates what is missing of .taskmaster (never Task Master\'s own files). The daemon logs to .taskmaster/logs/server.log',
      'and records its pid in .taskmaster/config/server.pid; clients find it through',
      '.taskmaster/config/connection.json (mode 0600, holds the token). Tokens are never printed.',
      'Clients must present a token: by default one is generated at each start; a token from',
      `--token-file, $${TOKEN_ENV} (or $${LEGACY_TOKEN_ENV}) or sync.json's "token" is used instead.`,
      '"auth": "none" in sync.json turns tokens off: then anyone who can reach the ports can read and',
      'change the tasks (a warning says so). Port in use: exit 1, with the flag to change it.',
      'With --cert/--key the daemon gets the file paths (never their contents); the certificate (not the key)',
      'is copied to .taskmaster/config/server.crt so the CLI\'s own commands trust a self-signed one.',
    ].join('\n'),
  },
  async run(args) {
    const options = serverOptions(args);
    const root = await projectRoot(args, { fallbackToCwd: true });
    const { initProject, openStore } = await import('@taskmaster/store');
    // A Task Master project has .taskmaster but none of our layout (config/, logs/…): whatever is
    // missing is created, and Task Master's own files are never touched.
    const fresh = !existsSync(path.join(root, '.taskmaster'));
    const { created } = await initProject(root);
    if (fresh) note(`initialised .taskmaster in ${root}`);
    else if (created.length > 0) note(`added ${created.join(', ')}`);
    if (flag(args, 'foreground')) {
      const { runForeground } = await import('../foreground-server.js');
      return runForeground(root, options);
    }
    const store = await openStore(root, { actor: 'cli' });
    const { connection, alreadyRunning } = await startDaemon(store, root, options, note);
    const { token, ...shown } = connection;
    if (token === undefined) note(`${colorErr.yellow('warning:')} ${noTokenWarning(connection.port, connection.httpPort)}`);
    if (flag(args, 'json')) return printJson({ ...shown, alreadyRunning, tokenRequired: token !== undefined });
    say(alreadyRunning ? `Sync server already running (pid ${connection.pid})` : `${color.green('Started')} sync server (pid ${connection.pid})`);
    say(`  WebSocket: ${connection.wsUrl}`);
    say(`  HTTP:      ${connection.httpUrl}`);
    say(`  Token:     ${token !== undefined ? `required; stored in ${connectionFileShown(root)} (mode 0600)` : 'not required'}`);
    if (!alreadyRunning) say(color.dim(`  Log:       .taskmaster/logs/server.log — stop with 'taskmaster sync server stop'`));
  },
};

/** The daemon's options from the flags `sync server start` and `board` share; `usage` goes into usage errors. */
export function serverOptions(args: ParsedArgs, usage = USAGE): DaemonOptions {
  const port = (name: string): number | undefined => {
    const raw = str(args, name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n > 65535) throw usageError(`--${name} must be a port number from 0 to 65535, got '${raw}'`, `taskmaster ${usage}`);
    return n;
  };
  const token = tokenOption(args, `taskmaster ${usage}`);
  const options: DaemonOptions = {};
  const host = str(args, 'host');
  if (host !== undefined) options.host = host;
  const p = port('port');
  if (p !== undefined) options.port = p;
  const hp = port('http-port');
  if (hp !== undefined) options.httpPort = hp;
  if (flag(args, 'generate-token')) options.token = true;
  else if (token !== undefined) options.token = token;
  const tls = tlsFiles(args, usage);
  if (tls) options.tls = tls;
  return options;
}

/** What a server without a token exposes, said at every start (the daemon's log says it too). */
function noTokenWarning(port: number, httpPort: number): string {
  return `no token required ("auth": "none" in .taskmaster/config/sync.json): anyone who can reach port ${port} or ${httpPort} can read and change the tasks, any web page on a localhost port included`;
}

/** `--cert` and `--key` as absolute paths, both readable (the daemon runs in the project root). */
function tlsFiles(args: ParsedArgs, usage: string): DaemonOptions['tls'] {
  const cert = str(args, 'cert');
  const key = str(args, 'key');
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    throw usageError(`--cert and --key are both needed for TLS (got only --${cert === undefined ? 'key' : 'cert'})`, `taskmaster ${usage}`);
  }
  const readable = (file: string, flagName: string): string => {
    const absolute = path.resolve(file);
    try {
      readFileSync(absolute);
    } catch (err) {
      throw new CliError(
        CliErrorCode.InvalidParams,
        `cannot read the ${flagName} file ${absolute}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        `pass a readable PEM file to ${flagName}`,
        { exitCode: ExitCode.UserError },
      );
    }
    return absolute;
  };
  return { certFile: readable(cert, '--cert'), keyFile: readable(key, '--key') };
}
