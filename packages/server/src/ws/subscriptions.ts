import { ErrorCode, MAX_EVENT_PATTERN_LENGTH as MAX_PATTERN_LENGTH, MAX_SUBSCRIPTIONS as MAX_PATTERNS_PER_CONNECTION, TaskmasterError } from '@taskmaster/protocol';
import type { Peer } from './peer.js';

/**
 * Adds `events` to `peer`'s subscriptions, all or none: a pattern over
 * {@link MAX_PATTERN_LENGTH} characters, or more than
 * {@link MAX_PATTERNS_PER_CONNECTION} in all, is refused with -32602 and the
 * earlier subscriptions stay as they were. `patches`, when given, chooses
 * how `task.updated` reaches it from now on (see the event `task.patched`).
 */
export function subscribe(peer: Peer, events: readonly string[], patches?: boolean): void {
  const tooLong = events.find((e) => e.length > MAX_PATTERN_LENGTH);
  if (tooLong !== undefined) {
    throw new TaskmasterError(ErrorCode.InvalidParams, `invalid params for "subscribe": an event pattern holds at most ${MAX_PATTERN_LENGTH} characters (got ${tooLong.length})`, {
      limit: MAX_PATTERN_LENGTH,
    });
  }
  const after = new Set([...peer.patterns, ...events]);
  if (after.size > MAX_PATTERNS_PER_CONNECTION) {
    throw new TaskmasterError(
      ErrorCode.InvalidParams,
      `invalid params for "subscribe": a connection holds at most ${MAX_PATTERNS_PER_CONNECTION} event patterns (this would make ${after.size}); use "*" or "task.*" instead of many names`,
      { limit: MAX_PATTERNS_PER_CONNECTION },
    );
  }
  for (const e of events) peer.patterns.add(e);
  if (patches !== undefined) peer.patches = patches;
}
