import { diffTasksFiles, findTag, findTask, isAnotherItem, nearer, rebaseTasksFile, sameTask, versionDistance, type FieldConflict, type RebaseOptions, type Renumbered, type TasksFile, type VersionDistance } from '@taskmaster/protocol';
import type { RecentVersion } from './recent-versions.js';

/** What to do with a version of tasks.json written by someone else. */
export type OutsideWritePlan =
  /** Made from the current version (or an old version brought back as it was): take it as it is. */
  | { kind: 'take' }
  /** Made from a stale read: write `merged` (theirs plus the changes it had not seen) in its place. */
  | { kind: 'rebase'; base: RecentVersion; merged: TasksFile; conflicts: FieldConflict[]; renumbered: Renumbered[] };

/**
 * Decides how to adopt `theirs`, an outside write, given the current version
 * and the recent ones (newest first, the current one among them):
 *
 * 1. exactly an older version, byte for byte (an undo, `git checkout`, a
 *    `remove-task` of a task just created): taken as it is — unless that
 *    version was itself a stale write the server merged away
 *    ({@link RecentVersion.stale}): then it is the base, as in 2;
 * 2. otherwise its base is the recent version it differs from least (ties go
 *    to the newest), among those whose fields it keeps ({@link nearestBase}).
 *    The current version, if the file held it: taken as it is. One announced but not yet written (`current.hash` undefined) is no
 *    base — no other writer can have read it — so our changes in it are
 *    merged into theirs however much theirs resembles it. An older one: it
 *    was made from a stale read, like Task Master's `writeJSON`, which writes
 *    back the whole tag it read before taking the lock — merged with what it
 *    had not seen, the outside writer winning fields both changed. Theirs
 *    equal to an older version in value but not in bytes was made from a
 *    later one: a command that set back what changed since (a status set to
 *    what it was, a `remove-task` of a task made since). Taken as an undo,
 *    it would drop every other change made since.
 *
 * A task both made under one id: theirs keeps it, unless `oursKeepsId` says
 * ours must (one the team's log holds).
 */
export function planOutsideWrite(
  theirs: { data: TasksFile; hash: string },
  current: Omit<RecentVersion, 'hash'> & { hash: string | undefined },
  recent: readonly RecentVersion[],
  oursKeepsId?: RebaseOptions['oursKeepsId'],
): OutsideWritePlan {
  const older = recent.find((v) => v.hash === theirs.hash);
  if (older && !older.stale) return { kind: 'take' };
  // The common case, cheaply: every task changed lately is as the current version has it, so
  // nothing recent is undone — made from the current version (costs the changed tasks, not the file).
  if (!older && keepsRecentChanges(theirs.data, current.data, [current, ...recent])) return { kind: 'take' };
  const base = nearestBase(theirs.data, current, recent, true) ?? nearestBase(theirs.data, current, recent, false);
  if (!base || base.hash === current.hash) return { kind: 'take' };
  const { merged, conflicts, renumbered } = rebaseTasksFile(base.data, current.data, theirs.data, { dropDependenciesOnDeleted: true, ...(oursKeepsId ? { oursKeepsId } : {}) });
  // Nothing of ours was missing from theirs after all.
  if (diffTasksFiles(theirs.data, merged).length === 0) return { kind: 'take' };
  return { kind: 'rebase', base, merged, conflicts, renumbered };
}

/**
 * The recent version `theirs` differs from least, as {@link planOutsideWrite}
 * reads it. With `skipLacking`, a version is no candidate when theirs has a
 * task that version's change touched, without a field the version gives it
 * (or with another task under its id). Writers remove tasks and subtasks,
 * seldom a field of a task they keep (Task Master keeps even fields it does
 * not know: task-master/rebase.test.ts), so theirs was made from before that
 * version: from a chain of writes the server never saw (writers quicker than
 * the watcher's looks) whose first one was stale and replaced our changes. The server's merge of one such write with our
 * acknowledged updates is nearest theirs then (a few fields apart, against
 * the many changes of the chain from the version it really came from), and
 * taken as the base it makes theirs look like a removal of those updates (4
 * runs in 68 of stale-writers.test.ts beside busy processes and a second run
 * of it, each losing acknowledged updates). Without `skipLacking` (every
 * version was skipped so), the nearest is the base.
 */
function nearestBase(
  theirs: TasksFile,
  current: Omit<RecentVersion, 'hash'> & { hash: string | undefined },
  recent: readonly RecentVersion[],
  skipLacking: boolean,
): RecentVersion | undefined {
  const lacking = (version: Pick<RecentVersion, 'data' | 'touched'>) => skipLacking && dropsFields(version, theirs);
  const onDisk = current.hash !== undefined && !lacking(current) && !recent.some((v) => v.hash === current.hash && lacking(v));
  let base: RecentVersion | undefined = onDisk ? (current as RecentVersion) : undefined;
  let best: VersionDistance = onDisk ? versionDistance(current.data, theirs) : { fields: Infinity, dropped: Infinity };
  for (const version of recent) {
    if (best.fields === 0) break;
    if (version === current || version.hash === current.hash) continue;
    // Another writer's sibling, made from the same read as theirs, not theirs's base: see below.
    if (version.stale ? dropsAdditions(version, theirs) : lacking(version)) continue;
    const distance = versionDistance(version.data, theirs);
    // Equal in value, not in bytes: not what theirs was made from, since Task Master writes only when a
    // command changes something (task-master/rebase.test.ts). Theirs set back what changed since (a
    // status set to what it was); its base is a later version. A stale one is theirs's very content.
    if (distance.fields === 0 && !version.stale) continue;
    // Strictly nearer: on a tie the newer version (met first) stays the base.
    if (nearer(distance, best)) {
      best = distance;
      base = version;
    }
  }
  return base;
}

/**
 * True when `theirs` lacks a task or field that `version`, a stale outside
 * write, added (among the tasks it `touched`), or has another task under its
 * id (each writer added its own subtask 2 to a task). Writers add and change
 * far more often than they remove, so theirs was not made from that version but
 * beside it, from a read they shared that the server may never have seen
 * (two Task Master processes writing within one look of the watcher). Taken
 * for theirs's base, the nearest version, it would make theirs look like an
 * undo of the sibling's additions, and drop them.
 */
export function dropsAdditions(version: Pick<RecentVersion, 'data' | 'touched'>, theirs: TasksFile): boolean {
  return lacksWhatItGave(version, theirs, true);
}

/**
 * True when `theirs` has a task that `version` touched, without one of the
 * fields version's task has, or another task under its id. A task missing
 * altogether does not count: removing a task or subtask is a Task Master
 * command (`remove-task`, `remove-subtask`, `clear-subtasks`).
 */
function dropsFields(version: Pick<RecentVersion, 'data' | 'touched'>, theirs: TasksFile): boolean {
  return lacksWhatItGave(version, theirs, false);
}

function lacksWhatItGave(version: Pick<RecentVersion, 'data' | 'touched'>, theirs: TasksFile, missingTaskCounts: boolean): boolean {
  for (const [tag, id] of version.touched) {
    const added = lookUp(version.data, tag, id) as Record<string, unknown> | undefined;
    if (!added) continue;
    const their = lookUp(theirs, tag, id) as Record<string, unknown> | undefined;
    if (!their) {
      if (missingTaskCounts) return true;
      continue;
    }
    // Another item under its id (another writer's subtask 2 of the same task): version's is not in theirs.
    if (isAnotherItem(added, their, id.includes('.'))) return true;
    for (const key of Object.keys(added)) if (!Object.prototype.hasOwnProperty.call(their, key)) return true;
  }
  return false;
}

/**
 * The tasks `theirs`, a stale outside write made from `base`, touched: what it
 * changed from its base and, when that base was itself a stale write merged
 * away, what the base touched. Theirs carries the base's additions too, so a
 * sibling that lacks them was made from neither ({@link dropsAdditions}).
 * Counting its own changes only, a write made from a read older than both
 * took theirs for its base and dropped the base's additions (6 runs in about
 * 136 of stale-writers.test.ts beside busy processes and a disk writer).
 */
export function staleTouched(base: RecentVersion, theirs: TasksFile): ReadonlyArray<readonly [string, string]> {
  const touched = new Map<string, readonly [string, string]>();
  for (const c of diffTasksFiles(base.data, theirs)) touched.set(JSON.stringify([c.payload.tag, c.payload.id]), [c.payload.tag, c.payload.id]);
  if (base.stale) for (const t of base.touched) touched.set(JSON.stringify(t), t);
  return [...touched.values()];
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
