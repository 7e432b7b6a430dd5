import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { ServerLog } from '../options.js';
import type { OutgoingEvent } from './outgoing-event.js';
import { Outbox } from './outbox.js';
import { wants, type Peer } from './peer.js';

/** One WebSocket client: its subscriptions, its outbox, and slow-consumer protection. */
export class Connection implements Peer {
  readonly clientId = randomUUID();
  readonly transport = 'websocket' as const;
  readonly since = new Date().toISOString();
  envelope: 'jsonrpc' | 'sync' | undefined;
  readonly patterns = new Set<string>();
  /** Cleared on each heartbeat, set by the pong. */
  alive = true;
  private readonly outbox: Outbox;

  constructor(
    readonly ws: WebSocket,
    readonly client: string | undefined,
    readonly peer: string,
    private readonly maxBufferedBytes: number,
    batchWindowMs: number,
    private readonly log: ServerLog,
  ) {
    this.outbox = new Outbox(batchWindowMs, (text) => this.send(text));
  }

  /** Queues the events this connection subscribed to (all of them with `everyone`). */
  deliver(events: readonly OutgoingEvent[], everyone = false): void {
    const chosen = everyone ? events : events.filter((e) => wants(this, e.event));
    if (chosen.length === 0) return;
    this.outbox.enqueue(chosen.map((e) => e.text(this.envelope ?? 'jsonrpc')));
  }

  /** Sends now, unless the client has stopped reading: then it is dropped, not waited for. */
  send(text: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.maxBufferedBytes) {
      this.log('warn', 'dropping a client that stopped reading', { clientId: this.clientId, buffered: this.ws.bufferedAmount });
      this.outbox.dispose();
      this.ws.terminate();
      return;
    }
    this.ws.send(text);
  }

  /** Sends pending events now (before a shutdown notice). */
  flush(): void {
    this.outbox.flush();
  }

  dispose(): void {
    this.outbox.dispose();
  }
}
