import { isLegacyTasksFile, setOwnKey, validateTagsIndividually, type TasksFile } from '@taskmaster/protocol';

/**
 * A tag another tool left broken (a task with a null title) stays on the
 * machine that has it. The server keeps such a tag as it is and sends no
 * events for it; the team must not get it either: every member validates the
 * snapshots and changes it reads, so one broken tag in the team's data would
 * stop every other member from joining. What the team is told of a local
 * version is that version with each broken tag as the team last knew it (or
 * without it), and the team's changes to such a tag wait until it is fixed.
 * The legacy format's one tag is the whole file: it is taken as it is.
 */

/** Versions are frozen: a version's broken tags are found once. */
const brokenTagsOf = new WeakMap<object, readonly string[]>();

function brokenTagNames(data: TasksFile): readonly string[] {
  if (isLegacyTasksFile(data)) return [];
  let names = brokenTagsOf.get(data);
  if (!names) {
    names = validateTagsIndividually(data).map((p) => p.tag);
    brokenTagsOf.set(data, names);
  }
  return names;
}

/** `local` as the team may see it: each tag broken in it taken from `known`, or left out when `known` has no such tag. */
export function sharedView(local: TasksFile, known: TasksFile): TasksFile {
  const broken = brokenTagNames(local);
  if (broken.length === 0) return local;
  const view: Record<string, unknown> = { ...(local as Record<string, unknown>) };
  for (const tag of broken) {
    if (Object.prototype.hasOwnProperty.call(known, tag)) setOwnKey(view, tag, (known as Record<string, unknown>)[tag]);
    else delete view[tag];
  }
  return view as TasksFile;
}

/** `merged` with each tag that is broken in `local` as `local` has it, so that writing `merged` leaves those tags untouched. */
export function keepBrokenTags(merged: TasksFile, local: TasksFile): TasksFile {
  const broken = brokenTagNames(local);
  if (broken.length === 0) return merged;
  const kept: Record<string, unknown> = { ...(merged as Record<string, unknown>) };
  for (const tag of broken) setOwnKey(kept, tag, (local as Record<string, unknown>)[tag]);
  return kept as TasksFile;
}
