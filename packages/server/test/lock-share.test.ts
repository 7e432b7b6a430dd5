import { describe, expect, it } from 'vitest';
import { LockShare } from '../src/state/lock-share.js';

/** Commits of `commitMs` one after another, each followed by the pause asked for; returns the pauses. */
function run(share: LockShare, commits: number, commitMs: number): number[] {
  const pauses: number[] = [];
  let now = 0;
  for (let i = 0; i < commits; i++) {
    const pause = share.pauseAfter(now, now + commitMs);
    pauses.push(pause);
    now += commitMs + pause;
  }
  return pauses;
}

describe('the share of each second our commits hold the lock', () => {
  it('lets a short burst run back to back, without pauses', () => {
    // 10 commits of 20 ms: 200 ms of the last second, under a quarter of it.
    expect(run(new LockShare(0.25, 1000, 250, () => 0.5), 10, 20)).toEqual(Array(10).fill(0));
  });

  it('holds sustained load to about a quarter of each second, so Task Master finds the lock free most of the time', () => {
    const share = new LockShare(0.25, 1000, 250, () => 0.5);
    const pauses = run(share, 200, 20);
    const busy = 200 * 20;
    const total = busy + pauses.reduce((a, b) => a + b, 0);
    expect(busy / total).toBeGreaterThan(0.2);
    expect(busy / total).toBeLessThan(0.3);
  });

  it('never pauses longer than its ceiling, even after a commit longer than the whole share', () => {
    const pauses = run(new LockShare(0.25, 1000, 250, () => 1), 20, 400);
    expect(Math.max(...pauses)).toBe(250);
  });
});
