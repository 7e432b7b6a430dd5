import { basename, dirname } from 'node:path';
import { watch } from 'chokidar';

/** A chokidar watch narrowed to one file, kept alive across rename-writes. */
export interface FileEvents {
  /** Resolves once chokidar has scanned the directory. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Calls `onEvent` for every file-system event that may have touched `file`.
 *
 * The directory is watched, not the file: a rename-write replaces the file's
 * inode, and a watch on the old inode goes deaf. Options and why:
 * - `depth: 0` and `ignored`: only `file` itself; the lock file, temp files
 *   and `history/` cost nothing.
 * - `atomic: false`: chokidar's atomic mode holds every unlink back 100 ms to
 *   merge it with a following add. The caller re-reads and settles missing
 *   or half-written files itself, so the merge only adds latency.
 * - no `awaitWriteFinish`: it polls sizes for seconds; a content hash and a
 *   validity check tell a finished write faster.
 * - `raw` events too: chokidar drops a `change` that follows another within
 *   50 ms, which would lose the last write of a burst. Raw events from the
 *   directory's own watch are never dropped; the caller's debounce merges them.
 */
export function watchFileViaDirectory(
  file: string,
  onEvent: () => void,
  onError: (err: Error) => void,
): FileEvents {
  const dir = dirname(file);
  const name = basename(file);
  const watcher = watch(dir, {
    depth: 0,
    ignoreInitial: true,
    atomic: false,
    ignored: (path: string) => path !== dir && basename(path) !== name,
  });
  watcher.on('all', (_event, path) => {
    if (path === file) onEvent();
  });
  watcher.on('raw', (_event, evPath, details) => {
    // Some platforms give no file name; then any event in the directory may be ours.
    const watched = (details as { watchedPath?: string } | undefined)?.watchedPath;
    if (evPath ? basename(evPath) === name : watched === dir || watched === file) onEvent();
  });
  watcher.on('error', (err) => onError(err instanceof Error ? err : new Error(String(err))));
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  watcher.once('ready', () => markReady());
  return {
    ready,
    async close() {
      markReady(); // closed before the scan ended: nobody should wait forever
      await watcher.close();
    },
  };
}
