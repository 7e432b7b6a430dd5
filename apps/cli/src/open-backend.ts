import type { Store } from '@taskmaster/store';
import { flag, type ParsedArgs } from './command.js';
import { runningServer, startDaemon } from './daemon.js';
import { directBackend } from './direct-backend.js';
import { note } from './output.js';
import { openProject } from './project.js';
import type { TaskBackend } from './task-backend.js';

/** True when this command should start a server first: `--auto-sync`, `--no-auto-sync`, else config. */
export function autoSyncWanted(args: ParsedArgs, store: Store): boolean {
  if (flag(args, 'no-auto-sync')) return false;
  if (flag(args, 'auto-sync')) return true;
  return store.config.autoSync === true;
}

/**
 * The backend a task verb uses: the running server when there is one,
 * else the file. A verb that `mutates` starts the daemon first when auto-sync
 * is on. `--verbose` says which path was taken.
 */
export async function openBackend(args: ParsedArgs, { mutates }: { mutates: boolean }): Promise<{ backend: TaskBackend; store: Store; root: string }> {
  const { root, store } = await openProject(args);
  let connection = await runningServer(store, root);
  if (!connection && mutates && autoSyncWanted(args, store)) {
    connection = (await startDaemon(store, root, {}, note)).connection;
    note(`started sync server ${connection.wsUrl} (auto-sync)`);
  }
  const verbose = flag(args, 'verbose');
  if (connection) {
    const { serverBackend } = await import('./server-backend.js');
    const backend = await serverBackend(connection, root);
    if (verbose) note(backend.description);
    return { backend, store, root };
  }
  const backend = directBackend(store);
  if (verbose) note(mutates ? backend.description : 'direct file read (no server running)');
  return { backend, store, root };
}

/** Runs `fn` with a backend and closes it afterwards. */
export async function withBackend<T>(
  args: ParsedArgs,
  options: { mutates: boolean },
  fn: (backend: TaskBackend, store: Store, root: string) => Promise<T>,
): Promise<T> {
  const { backend, store, root } = await openBackend(args, options);
  try {
    return await fn(backend, store, root);
  } finally {
    await backend.close();
  }
}
