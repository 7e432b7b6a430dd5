import { matchesEventPattern } from '@taskmaster/protocol';

/** Who is calling: a WebSocket connection or an HTTP request. */
export interface Peer {
  readonly clientId: string;
  /** The name given with `?client=<name>`. */
  readonly client: string | undefined;
  readonly transport: 'websocket' | 'http';
  /** The envelope of the first valid message; replies and events use it. */
  envelope: 'jsonrpc' | 'sync' | undefined;
  /** Subscribed event patterns. */
  readonly patterns: Set<string>;
  /** Whether `task.updated` goes to it as `task.patched`, only what changed (`subscribe`'s `patches`). */
  patches?: boolean;
}

/** True when `peer` subscribed to `event`. */
export function wants(peer: Peer, event: string): boolean {
  for (const p of peer.patterns) if (matchesEventPattern(p, event)) return true;
  return false;
}
