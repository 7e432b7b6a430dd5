import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, TaskmasterError } from '@taskmaster/protocol';

/**
 * Starts and stops the sync server through the `taskmaster` CLI (the daemon
 * writes `.taskmaster/config/connection.json`, which the client discovers).
 */

/** Where the extension carries its own copy of the CLI (the CLI's standalone bundle, copied in by the build). */
export const BUNDLED_CLI = 'dist/taskmaster.cjs';

/**
 * Which CLI to run: the `taskmaster.cliPath` setting when set, else a `taskmaster`
 * on the PATH (the user's own install wins), else `bundledCli`, the copy inside the
 * extension, which {@link cliCommand} runs with the editor's own node. On Windows only
 * a `taskmaster.exe` counts: npm's `taskmaster.cmd` shim cannot be spawned without a shell.
 */
export function resolveCli(cliPath: string, bundledCli: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (cliPath) return cliPath;
  return findOnPath(platform === 'win32' ? 'taskmaster.exe' : 'taskmaster', env, platform) ?? bundledCli;
}

/** The first executable file called `name` in the PATH's folders, if any. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  // Windows spells it Path; the lookup there is case-insensitive.
  const key = Object.keys(env).find((k) => (platform === 'win32' ? k.toUpperCase() === 'PATH' : k === 'PATH'));
  const paths = platform === 'win32' ? path.win32 : path.posix;
  const dirs = (key ? env[key] ?? '' : '').split(paths.delimiter).filter(Boolean);
  for (const dir of dirs) {
    // Relative PATH entries would depend on the editor's working folder: skip them.
    if (!paths.isAbsolute(dir)) continue;
    const candidate = paths.join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      if (platform !== 'win32') accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not there, or not executable: keep looking.
    }
  }
  return undefined;
}

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
