import { isJsonObject, type TasksFile } from '@taskmaster/protocol';

/** A version of tasks.json that was on disk, and when it was. */
export interface RecentVersion {
  data: TasksFile;
  hash: string;
  at: number;
  /** The tasks the change to this version touched, as `[tag, id]` (`"5"` or `"5.2"`). */
  touched: ReadonlyArray<readonly [string, string]>;
  /**
   * An outside write made from a stale read, which the server replaced with
   * its merge: a base to merge against, never a version to go back to. Its
   * writer may write it again (a second write from the same read), or another
   * may read it in the moment it was on disk and write it back unchanged.
   */
  stale?: boolean;
}

/**
 * How to rebuild an older version's object from the next newer one's: the
 * older object's members in order, each the newer one's (`same`), rebuilt
 * from it (`object`, for a tag or the file), a task list rebuilt from the
 * newer one's (`list`), or kept as it was (`value`).
 */
type Undo =
  | { kind: 'same' }
  | { kind: 'value'; value: unknown }
  | { kind: 'object'; members: ReadonlyArray<readonly [string, Undo]> }
  | { kind: 'list'; length: number; changed: ReadonlyArray<readonly [number, unknown]> };

const SAME: Undo = { kind: 'same' };

/**
 * The recipe that turns `newer` into `older`, and what it holds in task
 * slots. Versions share every unchanged object (copy-on-write), so between
 * two versions only a few tasks differ; the recipe keeps those, not the task
 * lists of the changed tags, which are as long as the tag (80 KB a version
 * at 10k tasks). A list that changed in more than a quarter of its places is
 * kept whole.
 */
function undoOf(newer: unknown, older: unknown, depth: number): { undo: Undo; slots: number } {
  if (newer === older) return { undo: SAME, slots: 0 };
  if (Array.isArray(newer) && Array.isArray(older)) {
    const changed: Array<readonly [number, unknown]> = [];
    for (let i = 0; i < older.length && changed.length * 4 <= older.length; i++) {
      if (i >= newer.length || newer[i] !== older[i]) changed.push([i, older[i]]);
    }
    if (changed.length * 4 > older.length) return { undo: { kind: 'value', value: older }, slots: older.length };
    return { undo: { kind: 'list', length: older.length, changed }, slots: 1 + changed.length * 2 };
  }
  // The file, then a tag: the task lists are found two levels down at most (one in a legacy file).
  if (depth < 2 && isJsonObject(newer) && isJsonObject(older)) {
    const members: Array<readonly [string, Undo]> = [];
    let slots = 1;
    for (const key of Object.keys(older)) {
      const member = undoOf(newer[key], older[key], depth + 1);
      members.push([key, member.undo]);
      slots += member.slots + 1;
    }
    return { undo: { kind: 'object', members }, slots };
  }
  return { undo: { kind: 'value', value: older }, slots: slotsIn(older) };
}

function redo(newer: unknown, undo: Undo): unknown {
  switch (undo.kind) {
    case 'same':
      return newer;
    case 'value':
      return undo.value;
    case 'list': {
      const list = (newer as unknown[]).slice(0, undo.length);
      for (const [i, item] of undo.changed) list[i] = item;
      // Lists stay unfrozen, as the store leaves them (freeze-version.ts: V8 is slow on frozen arrays).
      return list;
    }
    case 'object': {
      const from = newer as Record<string, unknown>;
      const object: Record<string, unknown> = {};
      for (const [key, member] of undo.members) object[key] = redo(from[key], member);
      return Object.freeze(object);
    }
  }
}

/** Task slots a value kept whole holds: its task lists' lengths. */
function slotsIn(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (!isJsonObject(value)) return 1;
  let slots = 1;
  for (const member of Object.values(value)) if (Array.isArray(member) || isJsonObject(member)) slots += Array.isArray(member) ? member.length : slotsIn(member);
  return slots;
}

/** A version as kept: the newest whole, each older one as its recipe from the one after it. */
interface KeptVersion extends Omit<RecentVersion, 'data'> {
  /** From the next newer version's data to this one's (undefined for the newest). */
  undo: Undo | undefined;
  slots: number;
}

/**
 * The versions the file held lately, newest first: the candidates an outside
 * write may have been made from. Task Master reads a tag, works for a moment
 * (seconds, for an AI call much longer) and writes the whole tag back; the
 * version it read is one of these. The newest is kept whole, each older one
 * as what it had that the next one no longer has (see {@link undoOf}), so
 * keeping many costs the tasks they changed, not a copy of each task list;
 * they are rebuilt only when an outside write is planned.
 */
export class RecentVersions {
  private versions: KeptVersion[] = [];
  private newest: TasksFile | undefined;
  private slots = 0;

  /**
   * Versions are kept for `maxAgeMs`, not by count: a Task Master command
   * reads, starts up for seconds and writes back, and at our full speed the
   * server commits hundreds of versions meanwhile; the version it read must
   * still be here, or its write is merged against the wrong base and undoes
   * updates. `maxSlots` (tasks kept, about 8 bytes each beyond the tasks
   * themselves) bounds the memory.
   */
  constructor(
    private readonly maxAgeMs = 60_000,
    private readonly maxSlots = 2_000_000,
  ) {}

  /** Records `data` as the file's version now (a repeat of the newest is ignored). */
  add(data: TasksFile, hash: string, touched: RecentVersion['touched'], { now = Date.now(), stale = false }: { now?: number; stale?: boolean } = {}): void {
    if (this.versions[0]?.hash === hash) return;
    const previous = this.versions[0];
    if (previous && this.newest) {
      const { undo, slots } = undoOf(data, this.newest, 0);
      previous.undo = undo;
      previous.slots = slots;
      this.slots += slots;
    }
    this.versions.unshift({ hash, at: now, touched, stale, undo: undefined, slots: 0 });
    this.newest = data;
    this.trim(now);
  }

  /** Whether the file held these bytes lately. */
  has(hash: string): boolean {
    return this.versions.some((v) => v.hash === hash);
  }

  /** The versions still recent, newest first, each rebuilt whole. */
  list(now = Date.now()): readonly RecentVersion[] {
    this.trim(now);
    const list: RecentVersion[] = [];
    let data = this.newest;
    for (const kept of this.versions) {
      if (kept.undo) data = redo(data, kept.undo) as TasksFile;
      list.push({ data: data!, hash: kept.hash, at: kept.at, touched: kept.touched, stale: kept.stale });
    }
    return list;
  }

  private trim(now: number): void {
    // The newest always stays: it is the version clients hold.
    while (this.versions.length > 1) {
      const oldest = this.versions[this.versions.length - 1]!;
      if (now - oldest.at <= this.maxAgeMs && this.slots <= this.maxSlots) break;
      this.versions.pop();
      this.slots -= oldest.slots;
    }
  }
}
