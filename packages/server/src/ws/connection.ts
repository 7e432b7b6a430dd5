import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { ServerLog } from '../options.js';
import type { OutgoingEvent } from './outgoing-event.js';
import { Outbox } from './outbox.js';
import { wants, type Peer } from './peer.js';
import { SendQueue } from './send-queue.js';

/** What a {@link Connection} needs from the server besides its socket. */
export interface ConnectionOptions {
  /** Queued event bytes beyond which they are replaced by one resync notice (see {@link SendQueue}). */
  maxBufferedBytes: number;
  batchWindowMs: number;
  /** The `sync.snapshot` a lagging connection gets instead of the events it could not take. */
  resyncNotice: () => OutgoingEvent;
  log: ServerLog;
}

/** One WebSocket client: its subscriptions, its outbox, flow control, and liveness. */
export class Connection implements Peer {
  readonly clientId = randomUUID();
  readonly transport = 'websocket' as const;
  readonly since = new Date().toISOString();
  envelope: 'jsonrpc' | 'sync' | undefined;
  readonly patterns = new Set<string>();
  patches = false;
  /** Cleared on each heartbeat, set by the pong. */
  alive = true;
  private takenAtLastBeat = 0;
  private readonly outbox: Outbox;
  private readonly queue: SendQueue;

  constructor(
    readonly ws: WebSocket,
    readonly client: string | undefined,
    readonly peer: string,
    private readonly options: ConnectionOptions,
  ) {
    this.queue = new SendQueue(ws, {
      maxQueuedBytes: options.maxBufferedBytes,
      envelope: () => this.envelope ?? 'jsonrpc',
      resyncNotice: options.resyncNotice,
      onOverflow: (dropped) =>
        options.log('info', 'a client fell behind: its queued events were replaced by a snapshot', { clientId: this.clientId, dropped }),
      // Too many unread replies: stop reading its requests until it catches up.
      onReplyPressure: (pressed) => (pressed ? ws.pause() : ws.resume()),
      // Events held while the socket was busy go as one message as soon as it is not.
      onDrained: () => this.outbox.flush(),
    });
    this.outbox = new Outbox(
      options.batchWindowMs,
      (events) => {
        if (this.isOpen()) this.queue.pushEvents(events);
      },
      () => this.queue.unsent > 0,
    );
  }

  /** Queues the events this connection subscribed to (all of them with `everyone`). */
  deliver(events: readonly OutgoingEvent[], everyone = false): void {
    const chosen = everyone ? events : events.filter((e) => wants(this, e.event));
    if (chosen.length === 0) return;
    this.outbox.enqueue(this.patches ? chosen.map((e) => e.patched() ?? e) : chosen);
  }

  /**
   * Queues a reply behind what this connection is already owed, events still
   * in the batch window included: the events a request caused reach its
   * caller before the reply does, so a client that acts on the reply (or
   * closes) has already seen them.
   */
  reply(text: string): void {
    this.outbox.flush();
    if (this.isOpen()) this.queue.pushReply(text);
  }

  /** Sends now, after everything queued (a shutdown notice). */
  send(text: string): void {
    this.flush();
    this.queue.pushReply(text);
    this.queue.flush();
  }

  /** Sends pending events now (before a shutdown notice). */
  flush(): void {
    this.outbox.flush();
    this.queue.flush();
  }

  /**
   * One heartbeat: false when the peer should be dropped — it neither answered
   * the last ping nor took any data since (a ping queued behind a long backlog
   * is answered late; a peer that keeps reading is alive, however slowly).
   * Otherwise pings it again. A peer that stopped reading costs no more than
   * its bounded queue until then.
   */
  beat(): boolean {
    const progressed = this.queue.taken !== this.takenAtLastBeat;
    this.takenAtLastBeat = this.queue.taken;
    if (!this.alive && !progressed) return false;
    this.alive = false;
    this.ws.ping();
    return true;
  }

  dispose(): void {
    this.outbox.dispose();
    this.queue.dispose();
  }

  private isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }
}
