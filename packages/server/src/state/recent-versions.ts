import { findTag, type TasksFile } from '@taskmaster/protocol';

/** A version of tasks.json that was on disk, and when it was. */
export interface RecentVersion {
  data: TasksFile;
  hash: string;
  at: number;
  /** The tasks the change to this version touched, as `[tag, id]` (`"5"` or `"5.2"`). */
  touched: ReadonlyArray<readonly [string, string]>;
}

/**
 * What a version costs beyond the one before it, in task slots: the task lists
 * of the tags it changed are new arrays (every other object is shared).
 */
function slotsOf(data: TasksFile, touched: RecentVersion['touched']): number {
  let slots = 1;
  for (const tag of new Set(touched.map(([t]) => t))) slots += findTag(data, tag)?.tasks.length ?? 0;
  return slots;
}

/**
 * The versions the file held lately, newest first: the candidates an outside
 * write may have been made from. Task Master reads a tag, works for a moment
 * (seconds, for an AI call much longer) and writes the whole tag back; the
 * version it read is one of these. Versions share every unchanged object
 * (copy-on-write), so keeping many costs little.
 */
export class RecentVersions {
  private versions: Array<RecentVersion & { slots: number }> = [];
  private slots = 0;

  /**
   * Versions are kept for `maxAgeMs`, not by count: a Task Master command
   * reads, starts up for seconds and writes back, and at our full speed the
   * server commits hundreds of versions meanwhile; the version it read must
   * still be here, or its write is merged against the wrong base and undoes
   * updates. `maxSlots` (task-list entries, 8 bytes each) bounds the memory:
   * 2M is 16 MB, which is ten thousand versions of the 182-task fixture or
   * two hundred of a 10k-task tag.
   */
  constructor(
    private readonly maxAgeMs = 60_000,
    private readonly maxSlots = 2_000_000,
  ) {}

  /** Records `data` as the file's version now (a repeat of the newest is ignored). */
  add(data: TasksFile, hash: string, touched: RecentVersion['touched'], now = Date.now()): void {
    if (this.versions[0]?.hash === hash) return;
    const slots = slotsOf(data, touched);
    this.versions.unshift({ data, hash, at: now, touched, slots });
    this.slots += slots;
    this.trim(now);
  }

  /** Whether the file held these bytes lately. */
  has(hash: string): boolean {
    return this.versions.some((v) => v.hash === hash);
  }

  /** The versions still recent, newest first. */
  list(now = Date.now()): readonly RecentVersion[] {
    this.trim(now);
    return this.versions;
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
