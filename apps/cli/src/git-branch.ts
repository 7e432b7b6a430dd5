import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CliError, CliErrorCode } from './cli-error.js';

/**
 * The branch checked out in the git repository holding `dir`, read from
 * `.git/HEAD` (or a worktree's `gitdir:` file) — never by running git, so no
 * shell and nothing on the PATH is involved.
 */
export function currentGitBranch(dir: string): string {
  const gitDir = findGitDir(path.resolve(dir));
  if (!gitDir) throw new CliError(CliErrorCode.InvalidParams, `${dir} is not in a git repository`, 'give the tag a name instead of --from-branch');
  const head = readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
  const match = /^ref:\s*refs\/heads\/(.+)$/.exec(head);
  if (!match) throw new CliError(CliErrorCode.InvalidParams, 'git HEAD is detached: no branch is checked out', 'check out a branch, or give the tag a name');
  return match[1]!;
}

function findGitDir(start: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const dotGit = path.join(dir, '.git');
    if (existsSync(dotGit)) {
      if (statSync(dotGit).isDirectory()) return dotGit;
      // A worktree or submodule: `.git` is a file saying where the git dir is.
      const pointer = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
      if (pointer) return path.resolve(dir, pointer[1]!.trim());
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Task Master's tag name for a branch: `feature/Login` → `feature-login` (letters, digits, - and _, at most 50). */
export function tagNameForBranch(branch: string): string {
  const name = branch
    .replace(/[^a-zA-Z0-9_-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/-+/g, '-')
    .toLowerCase()
    .substring(0, 50);
  // Task Master refuses these: a tag per main line would only duplicate master.
  if (name === '' || ['main', 'master', 'develop', 'dev', 'head'].includes(branch.toLowerCase())) {
    throw new CliError(CliErrorCode.InvalidParams, `branch "${branch}" cannot be turned into a tag name`, 'give the tag a name instead of --from-branch');
  }
  return name;
}
