import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, isTaskmasterError } from '@taskmaster/protocol';
import { shippedBoardDir } from './board-dir.js';
import { CliError, CliErrorCode } from './cli-error.js';
import type { DaemonOptions } from './daemon.js';
import { ExitCode } from './exit-codes.js';
import { color, say } from './output.js';
import { connectionFilePid, isAlive, removeFile, writePidFile } from './process-state.js';
import { connectionFileShown, serverCertFile } from './project.js';

/**
 * Runs the sync server in this process until SIGINT/SIGTERM, then closes it
 * gracefully (clients receive 1007) and removes the pid file. Never resolves
 * while the server runs.
 */
export async function runForeground(root: string, options: DaemonOptions): Promise<number> {
  const { createServer } = await import('@taskmaster/server');
  const { tls: tlsFiles, ...rest } = options;
  const tls = tlsFiles && { cert: readPem(tlsFiles.certFile, '--cert'), key: readPem(tlsFiles.keyFile, '--key') };
  const pidFile = path.join(root, '.taskmaster', 'config', 'server.pid');
  // Nothing here is written through a symbolic link a cloned repository may have planted.
  const { ensureRealDirectory, replaceFileNoFollow } = await import('@taskmaster/store');
  await ensureRealDirectory(path.dirname(pidFile), { create: true });
  // The CLI's own clients trust this copy of the certificate (see server-backend.ts); written
  // before connection.json appears, so a client never sees a wss:// server without it.
  // Another live server's copy is left alone (this start will fail on its port).
  const certCopy = serverCertFile(path.dirname(pidFile));
  const other = connectionFilePid(path.join(path.dirname(pidFile), 'connection.json'));
  const ownsCert = other === undefined || other === process.pid || !isAlive(other);
  if (ownsCert && tls) await replaceFileNoFollow(certCopy, tls.cert, 0o644);
  else if (ownsCert) removeFile(certCopy);
  // Before listening: a pid file that cannot be written must not leave a server running.
  await writePidFile(pidFile, process.pid);
  let server: Awaited<ReturnType<typeof createServer>>;
  // Every server the CLI starts serves the board at / (taskmaster board prints its address).
  const boardDir = shippedBoardDir();
  try {
    server = await createServer({
      root,
      ...rest,
      ...(boardDir ? { boardDir } : {}),
      ...(tls ? { tls } : {}),
      log: (level, message, data) => {
        const line = `${new Date().toISOString()} ${level} ${message}${data ? ` ${JSON.stringify(data)}` : ''}`;
        (level === 'info' ? process.stdout : process.stderr).write(line + '\n');
      },
    });
  } catch (err) {
    removeFile(pidFile, process.pid);
    if (ownsCert && tls) removeFile(certCopy);
    // A certificate and key that do not match, or are not PEM, are the user's to fix: exit 1.
    if (tls && !isTaskmasterError(err) && /PEM|key|certificate|asn1/i.test(String(err))) {
      throw new CliError(CliErrorCode.InvalidParams, `cannot use --cert/--key: ${(err as Error).message}`, undefined, { exitCode: ExitCode.UserError });
    }
    // Failing to listen (port in use, address not available) is fixed by the user's flags: exit 1.
    if (isTaskmasterError(err, ErrorCode.ConnectionFailed)) {
      throw new CliError(err.code, err.message, undefined, { exitCode: ExitCode.UserError });
    }
    throw err;
  }
  say(`${color.green('TaskMaster Sync server')} listening (pid ${process.pid})`);
  say(`  WebSocket: ${server.wsUrl}`);
  say(`  HTTP:      ${server.httpUrl}`);
  // Where the token is, never the token itself; without one the server's log line above has the warning.
  say(`  Token:     ${server.token !== undefined ? `required; stored in ${connectionFileShown(root)} (mode 0600)` : 'not required'}`);
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
          if (ownsCert && tls) removeFile(certCopy);
          resolve(ExitCode.Ok);
          // The server is closed; idle handles (watchers, keep-alive sockets) must not delay the exit.
          process.exit(ExitCode.Ok);
        });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** A PEM file named by `flagName`; unreadable → exit 1 naming the file and the flag. */
function readPem(file: string, flagName: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new CliError(
      CliErrorCode.InvalidParams,
      `cannot read the ${flagName} file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      `pass a readable PEM file to ${flagName}`,
      { exitCode: ExitCode.UserError },
    );
  }
}
