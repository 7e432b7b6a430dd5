import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '@taskmaster/store';
import { CliError, CliErrorCode } from './cli-error.js';
import { str, type ParsedArgs } from './command.js';

/**
 * The project root a command works on: `--root` (or `--project`), else the nearest folder with
 * a `.taskmaster` (store's `findProjectRoot`, which honours
 * TASK_MASTER_PROJECT_ROOT), else — when `fallbackToCwd` — the current folder.
 */
export async function projectRoot(args: ParsedArgs, { fallbackToCwd = false } = {}): Promise<string> {
  // `--project` is Task Master's name for it (list, show, set-status, next).
  const flagged = str(args, 'root') ?? str(args, 'project');
  if (flagged) return path.resolve(flagged);
  const { findProjectRoot } = await import('@taskmaster/store');
  const found = findProjectRoot(process.cwd(), process.env);
  if (found && existsSync(path.join(found, '.taskmaster'))) return found;
  if (fallbackToCwd) return found ?? process.cwd();
  throw new CliError(
    CliErrorCode.InvalidParams,
    `no .taskmaster folder in ${process.cwd()} or its parents`,
    "run 'taskmaster init' here, or pass --root <dir>",
  );
}

/** Opens the store of a project that must exist already. */
export async function openProject(args: ParsedArgs): Promise<{ root: string; store: Store }> {
  const root = await projectRoot(args);
  if (!existsSync(path.join(root, '.taskmaster'))) {
    throw new CliError(CliErrorCode.InvalidParams, `no .taskmaster folder in ${root}`, "run 'taskmaster init' there first");
  }
  const { openStore } = await import('@taskmaster/store');
  return { root, store: await openStore(root, { actor: 'cli' }) };
}

/** Paths the CLI keeps next to the store's own. */
export function cliPaths(store: Store): { pidFile: string; serverLog: string; serverCert: string } {
  return {
    pidFile: path.join(path.dirname(store.paths.syncConfigFile), 'server.pid'),
    serverCert: serverCertFile(path.dirname(store.paths.syncConfigFile)),
    serverLog: path.join(path.dirname(store.paths.logFile), 'server.log'),
  };
}

/** A copy of the running server's TLS certificate (public, no key), which the CLI's clients trust. */
export function serverCertFile(configDir: string): string {
  return path.join(configDir, 'server.crt');
}

/** connection.json of `root` as a user can find it from here: relative to the working directory when under it. */
export function connectionFileShown(root: string): string {
  const file = path.join(root, '.taskmaster', 'config', 'connection.json');
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
