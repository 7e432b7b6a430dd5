import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, isTaskmasterError } from '@taskmaster/protocol';
import { CliError } from './cli-error.js';
import type { DaemonOptions } from './daemon.js';
import { ExitCode } from './exit-codes.js';
import { color, say } from './output.js';
import { removeFile, writePidFile } from './process-state.js';

/**
 * Runs the sync server in this process until SIGINT/SIGTERM, then closes it
 * gracefully (clients receive 1007) and removes the pid file. Never resolves
 * while the server runs.
 */
export async function runForeground(root: string, options: DaemonOptions): Promise<number> {
  const { createServer } = await import('@taskmaster/server');
  let server: Awaited<ReturnType<typeof createServer>>;
  try {
    server = await createServer({
      root,
      ...options,
      log: (level, message, data) => {
        const line = `${new Date().toISOString()} ${level} ${message}${data ? ` ${JSON.stringify(data)}` : ''}`;
        (level === 'info' ? process.stdout : process.stderr).write(line + '\n');
      },
    });
  } catch (err) {
    // Failing to listen (port in use, address not available) is fixed by the user's flags: exit 1.
    if (isTaskmasterError(err, ErrorCode.ConnectionFailed)) {
      throw new CliError(err.code, err.message, undefined, { exitCode: ExitCode.UserError });
    }
    throw err;
  }
  const pidFile = path.join(root, '.taskmaster', 'config', 'server.pid');
  mkdirSync(path.dirname(pidFile), { recursive: true });
  writePidFile(pidFile, process.pid);
  say(`${color.green('TaskMaster Sync server')} listening (pid ${process.pid})`);
  say(`  WebSocket: ${server.wsUrl}`);
  say(`  HTTP:      ${server.httpUrl}`);
  if (server.token) say('  Token:     required; stored in .taskmaster/config/connection.json (mode 0600)');
  say(color.dim('  Ctrl-C to stop'));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      say(`${new Date().toISOString()} info stopping on ${signal}`);
      server
        .close(`server stopped (${signal})`)
        .catch((err: unknown) => process.stderr.write(`error during shutdown: ${String(err)}\n`))
        .finally(() => {
          removeFile(pidFile, process.pid);
          resolve(ExitCode.Ok);
          // The server is closed; idle handles (watchers, keep-alive sockets) must not delay the exit.
          process.exit(ExitCode.Ok);
        });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
