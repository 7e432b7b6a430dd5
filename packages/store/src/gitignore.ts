import fs from 'node:fs/promises';
import { readFileNoFollow, replaceFileNoFollow, symlinkRefused, writeNewFileNoFollow } from './safe-fs.js';

/**
 * What under `.taskmaster/` is local to one machine and must not be committed:
 * snapshots and logs (large, and they churn), the running server's pid,
 * connection (with its token) and certificate, the lock with its owner
 * record, and the temp files of atomic writes. Paths are relative to
 * `.taskmaster/`, where the `.gitignore` holding them lives.
 */
export const GITIGNORE_ENTRIES = [
  'tasks/history/',
  'logs/',
  'config/server.pid',
  'config/connection.json',
  'config/server.crt',
  'tasks/tasks.json.lock*',
  '*.tmp',
] as const;

const HEADER = '# TaskMaster Sync: local to this machine, not for version control';

/**
 * Makes `file` (`.taskmaster/.gitignore`) hold {@link GITIGNORE_ENTRIES}:
 * creates it, or appends the entries it lacks (an entry counts as present
 * with or without leading and trailing slashes), never repeating one and
 * never touching the user's lines. Never follows a symbolic link there
 * (ELOOP). Returns whether it wrote anything.
 */
export async function ensureGitignore(file: string): Promise<boolean> {
  const st = await fs.lstat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (st?.isSymbolicLink()) throw symlinkRefused(file);
  if (!st) {
    try {
      await writeNewFileNoFollow(file, `${HEADER}\n${GITIGNORE_ENTRIES.join('\n')}\n`);
      return true;
    } catch (err) {
      // Made meanwhile (another init): then it is completed like any existing file.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return ensureGitignore(file);
    }
  }
  const text = (await readFileNoFollow(file)).toString('utf8');
  const present = new Set(text.split(/\r?\n/).map(normalize));
  const missing = GITIGNORE_ENTRIES.filter((e) => !present.has(normalize(e)));
  if (missing.length === 0) return false;
  const lines = [...(present.has(normalize(HEADER)) ? [] : [HEADER]), ...missing];
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  // Replaced by rename: a link planted meanwhile is replaced, never written through; the mode is kept.
  await replaceFileNoFollow(file, `${text}${separator}${lines.join('\n')}\n`, (await fs.lstat(file)).mode & 0o777);
  return true;
}

/** An ignore line as compared: trimmed, without leading or trailing slashes. */
function normalize(line: string): string {
  return line.trim().replace(/^\/+/, '').replace(/\/+$/, '');
}
