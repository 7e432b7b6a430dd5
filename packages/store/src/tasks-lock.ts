import fs from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { ErrorCode, TaskmasterError } from '@taskmaster/protocol';
import { fileError } from './errors.js';

/** How long to wait for the lock and when a holder is presumed dead. */
export interface LockOptions {
  timeoutMs: number;
  /** A lock whose mtime is older than this is stale (its holder died) and is taken over. */
  staleMs: number;
  /** The lock path as shown in messages. */
  displayName: string;
}

/** A lock we hold. */
export interface HeldLock {
  /** Throws 1005 if the lock was lost (e.g. taken over after a long stall), so we must not write. */
  assertHeld(): void;
  release(): Promise<void>;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
export const DEFAULT_LOCK_STALE_MS = 10_000;

/**
 * Takes Task Master's lock on tasks.json: proper-lockfile's directory at
 * `lockFile` (`tasks.json.lock`). Task Master also makes that path as a plain
 * file (`open(..., 'wx')`); `mkdir` fails with EEXIST on a file as on a
 * directory, so either form blocks us, and our directory blocks both of its
 * code paths. Waits with backoff up to `timeoutMs`, taking over stale locks.
 */
export async function acquireTasksLock(tasksFile: string, lockFile: string, options: LockOptions): Promise<HeldLock> {
  const started = Date.now();
  let delay = 4;
  let madeDir = false;
  for (;;) {
    let lost: Error | undefined;
    try {
      const release = await lockfile.lock(tasksFile, {
        lockfilePath: lockFile,
        stale: options.staleMs,
        realpath: false,
        retries: 0,
        onCompromised: (err) => {
          lost = err;
        },
      });
      return {
        assertHeld() {
          if (lost) {
            throw new TaskmasterError(
              ErrorCode.FileAccessDenied,
              `lost the lock on tasks.json (${options.displayName}) before writing (${lost.message}); nothing was written, try again`,
            );
          }
        },
        async release() {
          // A compromised or already-removed lock has nothing left to release.
          await release().catch(() => undefined);
        },
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !madeDir) {
        // First write in a project without `.taskmaster/tasks/` yet.
        madeDir = true;
        await fs.mkdir(path.dirname(lockFile), { recursive: true }).catch((e: unknown) => {
          throw fileError(e, 'create the folder of', options.displayName);
        });
        continue;
      }
      if (code === 'ENOTDIR') {
        // proper-lockfile found a stale lock and tried rmdir on it: it is a plain file.
        if (await removeStaleLockFile(lockFile, options.staleMs)) continue;
      } else if (code !== 'ELOCKED') {
        throw fileError(err, 'lock tasks.json with', options.displayName);
      }
    }
    const waited = Date.now() - started;
    if (waited >= options.timeoutMs) throw lockedError(options, waited);
    const jitter = Math.random() * delay;
    await sleep(Math.min(delay + jitter, options.timeoutMs - waited));
    delay = Math.min(delay * 2, 25);
  }
}

/**
 * Removes a plain-file lock (Task Master's `wx` path) whose holder died: only
 * if it is still a file, still stale, and still the same file we looked at.
 */
async function removeStaleLockFile(lockFile: string, staleMs: number): Promise<boolean> {
  try {
    const first = await fs.lstat(lockFile);
    if (!first.isFile() || Date.now() - first.mtimeMs <= staleMs) return false;
    const again = await fs.lstat(lockFile);
    if (again.ino !== first.ino || again.mtimeMs !== first.mtimeMs) return false;
    await fs.unlink(lockFile);
    return true;
  } catch (err) {
    // Gone already: the next attempt will simply take the lock.
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

function lockedError(options: LockOptions, waited: number): TaskmasterError {
  return new TaskmasterError(
    ErrorCode.FileAccessDenied,
    `tasks.json is locked by another process (lock ${options.displayName}, waited ${(waited / 1000).toFixed(1)} s); ` +
      `try again when it finishes — a lock left by a process that died is taken over once it is ${Math.round(options.staleMs / 1000)} s old`,
    { lockFile: options.displayName, waitedMs: waited },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
