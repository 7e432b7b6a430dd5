/** How long to wait between reconnect attempts. */
export interface BackoffOptions {
  /** Upper bound of the first delay and the base of the doubling; default 100 ms. */
  minDelayMs?: number;
  /** Cap of every delay; default 10 s. */
  maxDelayMs?: number;
}

export const DEFAULT_MIN_DELAY_MS = 100;
export const DEFAULT_MAX_DELAY_MS = 10_000;

/** The ceiling of attempt `attempt` (0-based): `min · 2^attempt`, capped at `max`. */
export function backoffCeiling(attempt: number, options: BackoffOptions = {}): number {
  const min = options.minDelayMs ?? DEFAULT_MIN_DELAY_MS;
  const max = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  // 2^31 is far past any cap; clamping the exponent keeps the arithmetic finite.
  return Math.min(min * 2 ** Math.min(attempt, 31), max);
}

/**
 * The delay before reconnect attempt `attempt` with full jitter: uniform in
 * `[0, ceiling]`. Attempt 0 retries fast (0–100 ms by default); jitter keeps
 * many clients of a restarted server from reconnecting in lockstep.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeiling(attempt, options));
}
