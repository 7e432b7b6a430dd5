import { diffTasksFiles, findTag, findTask, rebaseTasksFile, sameTask, versionDistance, type FieldConflict, type TasksFile } from '@taskmaster/protocol';
import type { RecentVersion } from './recent-versions.js';

/** What to do with a version of tasks.json written by someone else. */
export type OutsideWritePlan =
  /** Made from the current version (or an old version brought back as it was): take it as it is. */
  | { kind: 'take' }
  /** Made from a stale read: write `merged` (theirs plus the changes it had not seen) in its place. */
  | { kind: 'rebase'; base: RecentVersion; merged: TasksFile; conflicts: FieldConflict[]; renumbered: Array<{ tag: string; from: string; to: string }> };

/**
 * Decides how to adopt `theirs`, an outside write, given the current version
 * and the recent ones (newest first, the current one among them):
 *
 * 1. exactly an older version (an undo, `git checkout`, a `remove-task` of a
 *    task just created): taken as it is;
 * 2. otherwise its base is the recent version it differs from least (ties go
 *    to the newest). The current version, if the file held it: taken as it
 *    is. One announced but not yet written (`current.hash` undefined) is no
 *    base — no other writer can have read it — so our changes in it are
 *    merged into theirs however much theirs resembles it. An older one, with
 *    changes of its own: it was made from a stale read, like Task Master's
 *    `writeJSON`, which writes back the whole tag it read before taking the
 *    lock — merged with what it had not seen, the outside writer winning
 *    fields both changed.
 */
export function planOutsideWrite(
  theirs: { data: TasksFile; hash: string },
  current: Omit<RecentVersion, 'hash'> & { hash: string | undefined },
  recent: readonly RecentVersion[],
): OutsideWritePlan {
  if (recent.some((v) => v.hash === theirs.hash)) return { kind: 'take' };
  // The common case, cheaply: every task changed lately is as the current version has it, so
  // nothing recent is undone — made from the current version (costs the changed tasks, not the file).
  if (keepsRecentChanges(theirs.data, current.data, [current, ...recent])) return { kind: 'take' };
  const onDisk = current.hash !== undefined;
  let base: RecentVersion | undefined = onDisk ? (current as RecentVersion) : undefined;
  let best = onDisk ? versionDistance(current.data, theirs.data) : Infinity;
  for (const version of recent) {
    if (best === 0) break;
    if (version === current || version.hash === current.hash) continue;
    const distance = versionDistance(version.data, theirs.data);
    // Strictly less: on a tie the newer version (met first) stays the base.
    if (distance < best) {
      best = distance;
      base = version;
    }
  }
  if (!base || base.hash === current.hash || best === 0) return { kind: 'take' };
  const { merged, conflicts, renumbered } = rebaseTasksFile(base.data, current.data, theirs.data);
  // Nothing of ours was missing from theirs after all.
  if (diffTasksFiles(theirs.data, merged).length === 0) return { kind: 'take' };
  return { kind: 'rebase', base, merged, conflicts, renumbered };
}

/** True when `theirs` has every task that recent versions touched exactly as `current` has it. */
export function keepsRecentChanges(theirs: TasksFile, current: TasksFile, recent: ReadonlyArray<Pick<RecentVersion, 'touched'>>): boolean {
  for (const version of recent) {
    for (const [tag, id] of version.touched) {
      const ours = lookUp(current, tag, id);
      const their = lookUp(theirs, tag, id);
      if (ours === their) continue;
      if (!ours || !their || !sameTask(ours, their)) return false;
    }
  }
  return true;
}

function lookUp(data: TasksFile, tag: string, id: string): object | undefined {
  const tagData = findTag(data, tag);
  return tagData && findTask(tagData, id)?.task;
}
