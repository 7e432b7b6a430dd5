import { createHash } from 'node:crypto';

/**
 * The hash the watcher compares: sha256 hex of the file's bytes. Writers use
 * it for {@link TasksWatcher.noteOwnWrite} so both sides hash the same way.
 */
export function hashTasksFile(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
