import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { overwriteFileNoFollowSync, readFileNoFollowSync, removeFileSync } from './safe-fs.js';

/**
 * Who holds our lock on tasks.json, so that a lock left by a process that was
 * killed can be taken over at once instead of after the stale time.
 *
 * The record is a sibling file, `tasks.json.lock.owner`, not a file inside
 * the lock directory: Task Master's proper-lockfile removes a stale lock with
 * `rmdir`, which fails (ENOTEMPTY) on a directory holding a file, so a record
 * inside would block Task Master for good after one of our writers died. The
 * record names the lock directory it belongs to (device, inode, ctime in ns)
 * so a leftover record can never vouch for a lock made later by someone else
 * (Task Master's, after it took over a stale one): the ctime changes whenever
 * a directory is made or its mtime refreshed, so it only matches the very
 * directory the dead writer made, and only until that writer refreshed it.
 */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** Linux: the process's start time in clock ticks since boot (/proc/<pid>/stat field 22), so a reused pid is not mistaken for the holder. */
  startTime?: string;
  /** Linux: the boot the pid belongs to; after a reboot no pid of the record is alive. */
  bootId?: string;
  /** Linux: the pid namespace, since pids of another container say nothing about ours. */
  pidNamespace?: string;
  /** The lock directory this record is about. */
  lock: LockIdentity;
}

/** What tells one lock directory from any later one at the same path. */
export interface LockIdentity {
  dev: string;
  ino: string;
  ctimeNs: string;
}

/** Where the record of `lockFile`'s owner is kept. */
export function ownerFileOf(lockFile: string): string {
  return `${lockFile}.owner`;
}

// The record is read and written with synchronous calls: they run while the
// lock is held, and each asynchronous call would wait its turn in a busy event
// loop (about 1 ms a call under load), which is time Task Master waits for the
// lock. They are a few metadata calls on a tiny file.

/** The identity of the lock directory at `lockFile` now, or undefined if there is none. */
export function lockIdentityOf(lockFile: string): LockIdentity | undefined {
  const st = lstatSync(lockFile, { bigint: true, throwIfNoEntry: false });
  if (!st?.isDirectory()) return undefined;
  return { dev: String(st.dev), ino: String(st.ino), ctimeNs: String(st.ctimeNs) };
}

/**
 * Records this process as the holder of the lock directory `lock` (best
 * effort: without it, the stale rule applies). Written in place, never
 * through a link: a reader that catches it half-written finds no valid
 * record and waits, as it does for a live holder.
 */
export function recordOwner(lockFile: string, lock: LockIdentity): void {
  const me: LockOwner = { pid: process.pid, hostname: os.hostname(), ...thisProcess(), lock };
  try {
    // A folder that is a link (a cloned repository's) gets no record: the write would land elsewhere.
    if (!lstatSync(path.dirname(lockFile)).isDirectory()) return;
    overwriteFileNoFollowSync(ownerFileOf(lockFile), JSON.stringify(me));
  } catch {
    // No record (a half-written one goes: the lock is ours, so is whatever is there): the stale rule applies.
    removeOwnerRecord(lockFile);
  }
}

/** Removes the record if it still names this process and `lock` (called before releasing). */
export function clearOwner(lockFile: string, lock: LockIdentity): void {
  const owner = readOwner(lockFile);
  if (owner && owner.pid === process.pid && sameLock(owner.lock, lock)) removeOwnerRecord(lockFile);
}

/** Removes the record, whoever it names. */
export function removeOwnerRecord(lockFile: string): void {
  try {
    removeFileSync(ownerFileOf(lockFile));
  } catch {
    // Left behind: it names a lock directory that no longer exists, so it vouches for nothing.
  }
}

/** The recorded owner, or undefined when there is none or it is unreadable. */
export function readOwner(lockFile: string): LockOwner | undefined {
  try {
    const raw = JSON.parse(readFileNoFollowSync(ownerFileOf(lockFile)).toString('utf8')) as Partial<LockOwner>;
    const lock = raw.lock as Partial<LockIdentity> | undefined;
    if (!Number.isInteger(raw.pid) || typeof raw.hostname !== 'string' || !lock) return undefined;
    if (typeof lock.dev !== 'string' || typeof lock.ino !== 'string' || typeof lock.ctimeNs !== 'string') return undefined;
    return raw as LockOwner;
  } catch {
    return undefined;
  }
}

export function sameLock(a: LockIdentity, b: LockIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.ctimeNs === b.ctimeNs;
}

/**
 * True only when `owner` is certainly gone: a process of this host, boot and
 * pid namespace that no longer exists, or whose pid now belongs to a process
 * started at another time. Anything we cannot judge counts as alive.
 */
export function isCertainlyDead(owner: LockOwner): boolean {
  if (owner.hostname !== os.hostname()) return false;
  const me = thisProcess();
  if (owner.bootId && me.bootId && owner.bootId !== me.bootId) return true;
  if (owner.pidNamespace !== me.pidNamespace) return false;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: it exists, owned by another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const now = startTimeOf(owner.pid);
  return owner.startTime !== undefined && now !== undefined && now !== owner.startTime;
}

let self: Pick<LockOwner, 'startTime' | 'bootId' | 'pidNamespace'> | undefined;

/** This process's start time, boot id and pid namespace (Linux; absent elsewhere). */
function thisProcess(): Pick<LockOwner, 'startTime' | 'bootId' | 'pidNamespace'> {
  self ??= {
    startTime: startTimeOf(process.pid),
    bootId: quietly(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()),
    pidNamespace: quietly(() => readlinkSync('/proc/self/ns/pid')),
  };
  return self;
}

/** Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses, so count from its end. */
function startTimeOf(pid: number): string | undefined {
  return quietly(() => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  });
}

function quietly<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
