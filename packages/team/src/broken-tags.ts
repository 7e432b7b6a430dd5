import { isLegacyTasksFile, ownTag, validateTagsIndividually, withTagsAs, type TasksFile } from '@taskmaster/protocol';

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

/**
 * The broken tags of a file team sync did not get from the server (the one it
 * started with, a snapshot read from the team), found by validating each tag.
 * For the local versions that follow, the server names them.
 */
export function brokenTagsIn(data: TasksFile): readonly string[] {
  return isLegacyTasksFile(data) ? [] : validateTagsIndividually(data).map((p) => p.tag);
}

/** `local` as the team may see it: each of its `broken` tags taken from `known`, or left out when `known` has no such tag. */
export function sharedView(local: TasksFile, known: TasksFile, broken: readonly string[]): TasksFile {
  return withTagsAs(local, new Map(broken.map((tag) => [tag, ownTag(known, tag)])));
}

/**
 * `merged` with each of `local`'s `broken` tags as `local` has it, so that
 * writing `merged` leaves those tags untouched. The team's changes to such a
 * tag come back once it is fixed (see {@link LocalBrokenTags}).
 */
export function keepBrokenTags(merged: TasksFile, local: TasksFile, broken: readonly string[]): TasksFile {
  return withTagsAs(merged, new Map(broken.map((tag) => [tag, ownTag(local, tag)])));
}

/** `file` with only its tag `tag`, or with no tag when it has none of that name. */
export function onlyTag(file: TasksFile, tag: string): TasksFile {
  return withTagsAs({} as TasksFile, new Map([[tag, ownTag(file, tag)]]));
}

/** A tag a local version fixed, and the last local version before it broke: that tag alone (see {@link onlyTag}). */
export interface FixedTag {
  tag: string;
  lastGood: TasksFile;
}

/**
 * Versions of single tags, by tag: each a file holding that tag alone, as
 * {@link onlyTag} gives it (no tag at all for a tag that did not exist then).
 * What team sync's journal keeps of broken and fixed tags across restarts.
 * Replaced, never changed in place, so a caller can tell a new one by identity.
 */
export type TagVersions = ReadonlyMap<string, TasksFile>;

/**
 * Which tags of the local file are broken, and for each the last local
 * version before it broke. While a tag is broken the team's changes to it
 * wait and the local edits to it send nothing (the server has no events for
 * a broken tag). When it is fixed, what travels is everything that changed
 * in it since that version, and the team's changes made meanwhile are merged
 * back into the local file, as a pull would have merged them; without this,
 * the fixed tag lacked them locally, and a restart's reconcile pushed their reversal.
 *
 * Only a version written whole (an outside write, a restore) can break or
 * fix a tag: the server's own commits leave a broken tag as it is, and so do
 * the team's writes; a commit can only delete a broken tag. The server names
 * the broken tags of each version written whole (its reader found them), so
 * nothing here validates the file again but the version it started with.
 */
export class LocalBrokenTags {
  private broken: ReadonlySet<string>;
  private lastGood: TagVersions;

  /**
   * Tags `remembered` as broken that `current`, the file at start, holds
   * fixed: fixed while no server ran. They are dealt with as a fix seen
   * live: the team's changes pulled while they were broken never reached the
   * file, and the start's reconcile would send their reversal.
   */
  readonly fixedAtStart: readonly FixedTag[];

  /**
   * `remembered`: what the journal kept from before a restart. A tag still
   * broken gets its last good version back, so fixing it after the restart
   * sends only what changed since and takes the team's changes made
   * meanwhile, as without the restart.
   */
  constructor(current: TasksFile, remembered: TagVersions = new Map()) {
    this.broken = new Set(brokenTagsIn(current));
    const kept = [...remembered].filter(([tag]) => this.broken.has(tag));
    this.lastGood = kept.length === remembered.size ? remembered : new Map(kept);
    this.fixedAtStart = [...remembered]
      .filter(([tag]) => !this.broken.has(tag) && Object.prototype.hasOwnProperty.call(current, tag))
      .map(([tag, lastGood]) => ({ tag, lastGood }));
  }

  /** The last good version of each broken tag whose break was seen (a new object after each change). */
  get remembered(): TagVersions {
    return this.lastGood;
  }

  /** Notes `data`, written whole after `before` with the tags `broken`; returns the tags it fixes whose last good version is known. */
  noteWhole(before: TasksFile, data: TasksFile, broken: readonly string[]): FixedTag[] {
    const now = new Set(broken.filter((tag) => Object.prototype.hasOwnProperty.call(data, tag)));
    const fixed: FixedTag[] = [];
    const lastGood = new Map(this.lastGood);
    for (const tag of now) if (!this.broken.has(tag)) lastGood.set(tag, onlyTag(before, tag));
    for (const tag of this.broken) {
      if (now.has(tag)) continue;
      const version = lastGood.get(tag);
      lastGood.delete(tag);
      if (version && Object.prototype.hasOwnProperty.call(data, tag)) fixed.push({ tag, lastGood: version });
    }
    this.broken = now;
    this.remember(lastGood);
    return fixed;
  }

  /** Notes a version of the server's own (a commit, or the team's changes): a broken tag it no longer has was deleted. */
  noteCommit(data: TasksFile): void {
    if (this.broken.size === 0) return;
    const kept = [...this.broken].filter((tag) => Object.prototype.hasOwnProperty.call(data, tag));
    if (kept.length === this.broken.size) return;
    this.broken = new Set(kept);
    this.remember(new Map([...this.lastGood].filter(([tag]) => this.broken.has(tag))));
  }

  /**
   * Takes `shared`'s version of each broken tag whose break was not seen
   * (broken while no server ran) as its last good one: `shared` is what the
   * team holds as this file (at a restart, the team's file plus the outbox;
   * a new project's first snapshot), which the tag matched when last good,
   * but for the local edits it has since. Those are then sent with the fix.
   * A join's team file is not one: its tag of the same name may be another's.
   */
  assumeLastGood(shared: TasksFile): void {
    const unknown = [...this.broken].filter((tag) => !this.lastGood.has(tag));
    if (unknown.length > 0) this.remember(new Map([...this.lastGood, ...unknown.map((tag) => [tag, onlyTag(shared, tag)] as const)]));
  }

  /** Whether `tag` is broken in the local file as last noted. */
  isBroken(tag: string): boolean {
    return this.broken.has(tag);
  }

  /**
   * The broken tags of `file`: the local file as last noted, or one a commit
   * made from it since (which can only have deleted some).
   */
  in(file: TasksFile): readonly string[] {
    if (this.broken.size === 0) return [];
    return [...this.broken].filter((tag) => Object.prototype.hasOwnProperty.call(file, tag));
  }

  /** Takes `next` unless it holds what the current memory holds: an unchanged memory keeps its identity. */
  private remember(next: Map<string, TasksFile>): void {
    const same = next.size === this.lastGood.size && [...next].every(([tag, version]) => this.lastGood.get(tag) === version);
    if (!same) this.lastGood = next;
  }
}
