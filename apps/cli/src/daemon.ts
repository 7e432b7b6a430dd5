import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConnectionFile } from '@taskmaster/protocol';
import { SERVER_ENV, SERVER_NODE_FLAGS } from '@taskmaster/server/node-flags';
import type { Store } from '@taskmaster/store';
import { CliError, CliErrorCode } from './cli-error.js';
import { ExitCode } from './exit-codes.js';
import { cliPaths } from './project.js';
import { connectionFilePid, isAlive, readPidFile, removeFile, sleep } from './process-state.js';

/** Server options a daemon is started with; unset ones come from config/sync.json. */
export interface DaemonOptions {
  host?: string;
  port?: number;
  httpPort?: number;
  /** A token, or true to generate one. */
  token?: string | true;
  /** PEM files for wss:// and https:// (absolute paths; the daemon reads them itself). */
  tls?: { certFile: string; keyFile: string };
}

/** The environment variable holding a token: unlike argv, only its owner can read a process's environment. */
export const TOKEN_ENV = 'TASKMASTER_TOKEN';
/** The former name of {@link TOKEN_ENV}, still read. */
export const LEGACY_TOKEN_ENV = 'TASKMASTER_SYNC_TOKEN';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** The running server of `root`, if any (loads the client only when a connection file exists). */
export async function runningServer(store: Store, root: string): Promise<ConnectionFile | undefined> {
  if (!existsSync(store.paths.connectionFile)) return undefined;
  const { discoverServer } = await import('@taskmaster/client');
  return discoverServer(root);
}

/**
 * Starts the sync server as a detached process logging to `.taskmaster/logs/server.log`
 * and resolves once it listens. A server already running is returned as it is;
 * a pid file left by a dead process is removed.
 */
export async function startDaemon(
  store: Store,
  root: string,
  options: DaemonOptions,
  onNote: (text: string) => void = () => {},
): Promise<{ connection: ConnectionFile; alreadyRunning: boolean }> {
  const { pidFile, serverLog } = cliPaths(store);
  const running = await runningServer(store, root);
  if (running) return { connection: running, alreadyRunning: true };

  const recorded = readPidFile(pidFile);
  if (recorded !== undefined && isAlive(recorded)) {
    // Another start is under way (or a server is still binding): wait for it.
    const connection = await waitForConnection(store, root, recorded, () => isAlive(recorded));
    if (connection) return { connection, alreadyRunning: true };
    throw new CliError(
      CliErrorCode.ConnectionFailed,
      `process ${recorded} in ${pidFile} is alive but no server answered`,
      "stop it with 'taskmaster sync server stop' and start again",
    );
  }
  if (recorded !== undefined) {
    onNote(`removed stale pid file (process ${recorded} is not running)`);
    removeFile(pidFile);
  }

  // Never through a symbolic link: a cloned repository could point logs/ or server.log at a shell's start-up file.
  const { ensureRealDirectory, openForAppendNoFollow } = await import('@taskmaster/store');
  await ensureRealDirectory(path.dirname(serverLog), { create: true });
  const log = await openForAppendNoFollow(serverLog, 0o600);
  const logStart = (await log.stat()).size;
  const args = [process.argv[1]!, 'sync', 'server', 'start', '--foreground', '--root', root];
  if (options.host !== undefined) args.push('--host', options.host);
  if (options.port !== undefined) args.push('--port', String(options.port));
  if (options.httpPort !== undefined) args.push('--http-port', String(options.httpPort));
  if (options.token === true) args.push('--generate-token');
  // Paths only: certificate and key contents never appear on a command line.
  if (options.tls) args.push('--cert', options.tls.certFile, '--key', options.tls.keyFile);
  // The token travels in the environment (readable by its owner only), never in argv (readable by all).
  const env = { ...SERVER_ENV, ...process.env };
  delete env[TOKEN_ENV];
  delete env[LEGACY_TOKEN_ENV];
  if (typeof options.token === 'string') env[TOKEN_ENV] = options.token;
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...args], { cwd: root, detached: true, stdio: ['ignore', log.fd, log.fd], env });
  await log.close();
  // The server writes its own pid file before it listens.
  const pid = child.pid!;

  let exitCode: number | null | undefined;
  child.once('exit', (code, signal) => {
    exitCode = code ?? (signal ? 128 : 1);
  });
  let connection: ConnectionFile | undefined;
  try {
    connection = await waitForConnection(store, root, pid, () => exitCode === undefined);
  } catch (err) {
    // Whatever went wrong here, this command must return and leave no server behind.
    if (exitCode === undefined) process.kill(pid, 'SIGKILL');
    throw err;
  } finally {
    child.removeAllListeners('exit');
    child.unref();
  }
  if (connection) return { connection, alreadyRunning: false };

  removeFile(pidFile, pid);
  const logName = '.taskmaster/logs/server.log';
  const tail = logTail(serverLog, logStart);
  if (exitCode === undefined) {
    process.kill(pid, 'SIGKILL');
    throw new CliError(CliErrorCode.ConnectionFailed, `the sync server did not start within ${START_TIMEOUT_MS / 1000} s`, `see ${logName}`, {
      details: tail,
    });
  }
  // The child reported why as `error <code>: <message>`; repeat that and pass its exit code on.
  const reported = [...tail].reverse().map((l) => /^error (-?\d+): (.*)$/.exec(l)).find((m) => m !== null);
  const exit = exitCode === 0 ? ExitCode.ServerUnreachable : (exitCode as ExitCode);
  if (reported) throw new CliError(Number(reported[1]), reported[2]!, `full log in ${logName}`, { exitCode: exit });
  throw new CliError(CliErrorCode.ConnectionFailed, 'the sync server exited during start-up', `see ${logName}`, {
    exitCode: exit,
    details: tail,
  });
}

async function waitForConnection(
  store: Store,
  root: string,
  pid: number,
  stillStarting: () => boolean,
): Promise<ConnectionFile | undefined> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (connectionFilePid(store.paths.connectionFile) === pid) {
      const connection = await runningServer(store, root);
      if (connection && connection.pid === pid) return connection;
    }
    if (!stillStarting()) return undefined;
    await sleep(50);
  }
  return undefined;
}

/** The last lines this start wrote to the log. */
function logTail(file: string, from: number): string[] {
  try {
    const text = readFileSync(file, 'utf8').slice(from).trim();
    return text ? text.split('\n').slice(-15) : [];
  } catch {
    return [];
  }
}

/**
 * Stops the server of this project: SIGTERM, then SIGKILL after a timeout.
 * Removes the pid and connection files either way.
 */
export async function stopDaemon(store: Store): Promise<{ pid?: number; killed: boolean; wasRunning: boolean }> {
  const { pidFile, serverCert } = cliPaths(store);
  const candidates = [readPidFile(pidFile), connectionFilePid(store.paths.connectionFile)];
  const pid = candidates.find((p): p is number => p !== undefined && p !== process.pid && isAlive(p));
  let killed = false;
  if (pid !== undefined) {
    process.kill(pid, 'SIGTERM');
    if (!(await waitForExit(pid, STOP_TIMEOUT_MS))) {
      process.kill(pid, 'SIGKILL');
      killed = true;
      await waitForExit(pid, 1_000);
    }
  }
  removeFile(pidFile);
  removeFile(serverCert);
  removeFile(store.paths.connectionFile);
  return { pid, killed, wasRunning: pid !== undefined };
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}
