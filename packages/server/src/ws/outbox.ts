import type { OutgoingEvent } from './outgoing-event.js';

/**
 * Batches outgoing events per connection, only while its socket is busy. An
 * event for a connection with nothing unsent goes out at once (a lone update,
 * or the next of back-to-back updates, is never delayed); events arriving
 * while earlier data is still being written are collected and sent as one
 * message (a JSON array) when the socket drains, or after `windowMs` at the
 * latest — the window is a ceiling on the wait, not a delay.
 */
export class Outbox {
  private pending: OutgoingEvent[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly send: (events: OutgoingEvent[]) => void,
    /** True while the socket still has data of ours it has not taken. */
    private readonly busy: () => boolean,
  ) {}

  /** Queues events that must travel together. */
  enqueue(events: readonly OutgoingEvent[]): void {
    if (events.length === 0) return;
    if (this.pending.length === 0 && !this.busy()) {
      this.send([...events]);
      return;
    }
    this.pending.push(...events);
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  /** Sends whatever is pending now (the socket drained, a reply must follow the events, or the window ended). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    this.send(events);
  }

  /** Drops pending events and the timer (the socket is gone). */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }
}
