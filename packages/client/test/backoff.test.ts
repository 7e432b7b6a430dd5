import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay } from '../src/backoff.js';

describe('reconnect backoff', () => {
  it('retries the first time within 0–100 ms by default', () => {
    expect(backoffDelay(0, {}, () => 0)).toBe(0);
    expect(backoffDelay(0, {}, () => 0.999)).toBeLessThanOrEqual(100);
  });

  it('doubles the ceiling with every attempt until the cap', () => {
    const options = { minDelayMs: 100, maxDelayMs: 10_000 };
    const ceilings = Array.from({ length: 10 }, (_, attempt) => backoffCeiling(attempt, options));
    for (let i = 1; i < ceilings.length; i++) {
      expect(ceilings[i]).toBe(Math.min(ceilings[i - 1]! * 2, options.maxDelayMs));
    }
    expect(Math.max(...ceilings)).toBe(options.maxDelayMs);
  });

  it('never waits longer than the cap, even after many attempts', () => {
    for (const attempt of [10, 50, 1000, Number.MAX_SAFE_INTEGER]) {
      const delay = backoffDelay(attempt, { maxDelayMs: 3000 }, () => 0.9999);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(3000);
    }
  });

  it('spreads delays over the whole range (full jitter)', () => {
    const delays = Array.from({ length: 200 }, () => backoffDelay(6, { minDelayMs: 100, maxDelayMs: 10_000 }));
    const ceiling = backoffCeiling(6, { minDelayMs: 100, maxDelayMs: 10_000 });
    expect(delays.every((d) => d >= 0 && d <= ceiling)).toBe(true);
    expect(Math.min(...delays)).toBeLessThan(ceiling / 4);
    expect(Math.max(...delays)).toBeGreaterThan((ceiling * 3) / 4);
    expect(new Set(delays).size).toBeGreaterThan(100);
  });
});
