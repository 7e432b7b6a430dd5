import { existsSync, readFileSync, rmSync } from 'node:fs';

/**
 * True when a process with this pid is running (EPERM means it exists but is
 * not ours). An exited daemon waits as a zombie until init reaps it, which can
 * take a while in containers: on Linux that counts as gone.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    // Format: `pid (comm) state …`; comm may contain spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** The pid in a pid file, or undefined when absent or unreadable. */
export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a pid file, never through a symbolic link (a cloned repository could plant one there). */
export async function writePidFile(file: string, pid: number): Promise<void> {
  const { replaceFileNoFollow } = await import('@taskmaster/store');
  await replaceFileNoFollow(file, `${pid}\n`, 0o644);
}

/** Removes a file if present; when `onlyIfPid` is given, only if it still holds that pid. */
export function removeFile(file: string, onlyIfPid?: number): void {
  if (!existsSync(file)) return;
  if (onlyIfPid !== undefined && readPidFile(file) !== onlyIfPid) return;
  rmSync(file, { force: true });
}

/** The pid recorded in a connection file, read without validation (it may be stale). */
export function connectionFilePid(file: string): number | undefined {
  try {
    const pid = (JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
