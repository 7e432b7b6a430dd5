/**
 * Indexes into `values` of one longest strictly increasing subsequence, in
 * order (O(n log n), patience sorting). The diff keeps the items on such a
 * run in place and moves only the others: moving one task to the front of a
 * list is then one move, not one per task it shifted.
 */
export function longestIncreasingSubsequence(values: readonly number[]): number[] {
  /** tails[k]: index of the smallest last value of an increasing run of length k + 1. */
  const tails: number[] = [];
  /** previous[i]: index of the value before values[i] on the best run ending at i. */
  const previous = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[tails[mid]!]! < value) lo = mid + 1;
      else hi = mid;
    }
    previous[i] = lo > 0 ? tails[lo - 1]! : -1;
    tails[lo] = i;
  }
  const run = new Array<number>(tails.length);
  for (let k = tails.length - 1, i = tails[k] ?? -1; k >= 0; k--, i = previous[i]!) run[k] = i;
  return run;
}
