import fs from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { ErrorCode, TaskmasterError } from '@taskmaster/protocol';
import { fileError } from './errors.js';
import { clearOwner, isCertainlyDead, lockIdentityOf, readOwner, recordOwner, removeOwnerRecord, sameLock } from './lock-owner.js';

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
      // Synchronous from the mkdir to the owner record, and in release: each asynchronous call
      // would wait its turn in a busy event loop while Task Master waits for the lock.
      const release = lockfile.lockSync(tasksFile, {
        lockfilePath: lockFile,
        stale: options.staleMs,
        realpath: false,
        onCompromised: (err) => {
          lost = err;
        },
      });
      // Who holds it, so the next writer can take it over at once should we be killed.
      const identity = lockIdentityOf(lockFile);
      if (identity) recordOwner(lockFile, identity);
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
          if (identity) clearOwner(lockFile, identity);
          try {
            release();
          } catch {
            // A compromised or already-removed lock has nothing left to release.
          }
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
      } else if (await takeOverDeadHoldersLock(lockFile)) {
        continue;
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

/** A takeover in progress for longer than this was abandoned by a process that died during it. */
const TAKEOVER_STALE_MS = 2000;

/**
 * Takes over our lock directory when its owner record says the holder, a
 * process of this host, is dead (see lock-owner.ts): without waiting for the
 * stale time. Contenders serialise on a `.takeover` directory; under it the
 * record and the lock directory are checked again, and the lock is renamed
 * away to a unique name (only one rename of it can succeed) and then removed.
 * Returns true when the lock was removed and taking it may be retried at once.
 */
async function takeOverDeadHoldersLock(lockFile: string): Promise<boolean> {
  const owner = readOwner(lockFile);
  if (!owner || !isCertainlyDead(owner)) return false;
  const mutex = `${lockFile}.takeover`;
  try {
    await fs.mkdir(mutex);
  } catch {
    const st = await fs.lstat(mutex).catch(() => undefined);
    if (st?.isDirectory() && Date.now() - st.mtimeMs > TAKEOVER_STALE_MS) await fs.rmdir(mutex).catch(() => undefined);
    return false;
  }
  try {
    // Again, under the mutex: the lock must still be the very directory the dead holder made.
    const current = readOwner(lockFile);
    const identity = lockIdentityOf(lockFile);
    if (!current || !identity || !sameLock(current.lock, identity) || !isCertainlyDead(current)) return false;
    const checked = await fs.lstat(lockFile, { bigint: true });
    if (String(checked.ctimeNs) !== identity.ctimeNs) return false;
    const away = `${lockFile}.dead-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    await fs.rename(lockFile, away);
    // A rename changes the ctime, not the inode or mtime: those tell whether we moved the directory we checked.
    const moved = await fs.lstat(away, { bigint: true }).catch(() => undefined);
    if (!moved || moved.ino !== checked.ino || moved.dev !== checked.dev || moved.mtimeNs !== checked.mtimeNs) {
      // Replaced between the check and the rename (only proper-lockfile's stale rule can): put it back.
      await fs.rename(away, lockFile).catch(() => undefined);
      return false;
    }
    await fs.rmdir(away).catch(() => fs.rm(away, { recursive: true, force: true }));
    const still = readOwner(lockFile);
    if (still && sameLock(still.lock, identity)) removeOwnerRecord(lockFile);
    return true;
  } catch {
    return false;
  } finally {
    await fs.rmdir(mutex).catch(() => undefined);
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
