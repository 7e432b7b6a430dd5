import type { TasksFile } from '@taskmaster/protocol';

/** A version of tasks.json that was on disk, and when it was. */
export interface RecentVersion {
  data: TasksFile;
  hash: string;
  at: number;
  /** The tasks the change to this version touched, as `[tag, id]` (`"5"` or `"5.2"`). */
  touched: ReadonlyArray<readonly [string, string]>;
}

/**
 * The versions the file held lately, newest first: the candidates an outside
 * write may have been made from. Task Master reads a tag, works for a moment
 * (seconds, for an AI call much longer) and writes the whole tag back; the
 * version it read is one of these. Versions share every unchanged object
 * (copy-on-write), so keeping many costs little.
 */
export class RecentVersions {
  private versions: RecentVersion[] = [];

  constructor(
    private readonly maxCount = 64,
    private readonly maxAgeMs = 60_000,
  ) {}

  /** Records `data` as the file's version now (a repeat of the newest is ignored). */
  add(data: TasksFile, hash: string, touched: RecentVersion['touched'], now = Date.now()): void {
    if (this.versions[0]?.hash === hash) return;
    this.versions.unshift({ data, hash, at: now, touched });
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
    let keep = Math.min(this.versions.length, this.maxCount);
    while (keep > 1 && now - this.versions[keep - 1]!.at > this.maxAgeMs) keep--;
    this.versions.length = keep;
  }
}
