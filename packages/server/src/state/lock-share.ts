/**
 * How long to leave tasks.json's lock free between commits, so that other
 * programs get it: Task Master's CLI tries five times within about 1.5 s
 * (100, 200, 400, 800 ms apart) and then fails. We keep the share of the
 * last second the lock was ours under `maxShare` (a quarter), pausing only
 * once a burst has used it up: an occasional update, or back-to-back ones
 * each a few ms long, never wait, while sustained load is held to the share.
 * Each pause is jittered, so Task Master's retries cannot stay in step with
 * our commits, and bounded, so no caller waits long for its turn.
 */
export class LockShare {
  /** Commits of the last window: [start, end] in ms (performance.now()). */
  private held: Array<[number, number]> = [];

  constructor(
    private readonly maxShare = 0.25,
    private readonly windowMs = 1000,
    private readonly maxPauseMs = 250,
    private readonly random: () => number = Math.random,
  ) {}

  /** After each commit, which held the lock from `start` to `end`: the pause before the next, if one is waiting (0: none). */
  pauseAfter(start: number, end: number): number {
    this.held.push([start, end]);
    const from = end - this.windowMs;
    while (this.held.length > 0 && this.held[0]![1] <= from) this.held.shift();
    let heldMs = 0;
    for (const [s, e] of this.held) heldMs += e - Math.max(s, from);
    if (heldMs <= this.maxShare * this.windowMs) return 0;
    // Free long enough that, counted from the window's start, the lock was ours only `maxShare` of it.
    const needed = heldMs / this.maxShare - this.windowMs;
    return Math.min(this.maxPauseMs, Math.max(2, needed * (0.75 + 0.5 * this.random())));
  }
}
