/** Lists shorter than this are scanned again rather than remembered: a WeakMap entry costs more. */
const REMEMBERED_FROM = 64;

/**
 * Every index of `after` whose item is not `before`'s item at that index (by
 * identity), indices past `before`'s end included: for a copy-on-write change
 * that left the rest of a list in place, the items it touched.
 */
export function changedPositions(before: readonly unknown[], after: readonly unknown[]): number[] {
  const at: number[] = [];
  const shared = Math.min(before.length, after.length);
  for (let i = 0; i < shared; i++) if (after[i] !== before[i]) at.push(i);
  for (let i = shared; i < after.length; i++) at.push(i);
  return at;
}

/**
 * {@link changedPositions}, worked out once per pair of lists and shared by
 * every pass over one change: freezing it, checking it, diffing it. An update
 * arrives after the last write swept the caches, and each pass over a 10k-task
 * list then cost ~0.1 ms; five passes took a third of a draft. One instance
 * per change: lists must not be modified while it lives (versions never are).
 */
export class ChangedPositions {
  private readonly known = new WeakMap<readonly unknown[], { before: readonly unknown[]; at: readonly number[] }>();

  /** The positions of `after` that differ from `before` (see {@link changedPositions}). */
  of(before: readonly unknown[], after: readonly unknown[]): readonly number[] {
    if (after.length < REMEMBERED_FROM) return changedPositions(before, after);
    const hit = this.known.get(after);
    if (hit && hit.before === before) return hit.at;
    const at = changedPositions(before, after);
    this.known.set(after, { before, at });
    return at;
  }
}
