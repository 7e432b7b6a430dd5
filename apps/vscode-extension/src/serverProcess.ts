import { spawn } from 'node:child_process';
import { ErrorCode, TaskmasterError } from '@taskmaster/protocol';

/**
 * Starts and stops the sync server through the `taskmaster` CLI (the daemon
 * writes `.taskmaster/config/connection.json`, which the client discovers).
 */

/** How to run the CLI: a `.js` path runs with node, anything else as a program. */
export function cliCommand(cliPath: string): { command: string; prefix: string[] } {
  const cli = cliPath || 'taskmaster';
  return /\.[cm]?js$/.test(cli) ? { command: process.execPath, prefix: [cli] } : { command: cli, prefix: [] };
}

/** Runs `taskmaster <args>` in `root`; resolves with its output, rejects with an actionable error. */
export function runCli(cliPath: string, root: string, args: string[], timeoutMs = 20_000): Promise<string> {
  const { command, prefix } = cliCommand(cliPath);
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], {
      cwd: root,
      // ELECTRON_RUN_AS_NODE lets the editor's own binary run a .js CLI as plain node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new TaskmasterError(
          ErrorCode.ConnectionFailed,
          err.code === 'ENOENT'
            ? `the taskmaster CLI was not found ('${cliPath || 'taskmaster'}'); install it or set taskmaster.cliPath`
            : `could not run the taskmaster CLI: ${err.message}`,
        ),
      );
    });
    const finish = (code: number | null) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new TaskmasterError(ErrorCode.ConnectionFailed, `taskmaster ${args.join(' ')} failed (exit ${code}): ${lastLine(output)}`));
    };
    // 'close' waits for stdio to end, which a daemon that kept our pipes would delay forever;
    // after 'exit', give the pipes a moment to flush, then settle.
    child.on('close', finish);
    child.on('exit', (code) => setTimeout(() => finish(code), 500).unref());
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop() ?? 'no output';
}

/**
 * Starts the server daemon in `root`, on the ports the settings fix or else
 * any free ones: clients find the server through connection.json either way.
 */
export function startServer(cliPath: string, root: string, ports: { port?: number; httpPort?: number } = {}): Promise<string> {
  return runCli(cliPath, root, ['sync', 'server', 'start', '--port', String(ports.port || 0), '--http-port', String(ports.httpPort || 0)]);
}

/** Stops the server daemon of `root`. */
export function stopServer(cliPath: string, root: string): Promise<string> {
  return runCli(cliPath, root, ['sync', 'server', 'stop']);
}
