import type { OutgoingEvent } from './outgoing-event.js';

/**
 * Batches outgoing events per connection. Leading edge: when the connection
 * has been idle for a window, events go out at once (a lone update is never
 * delayed); events arriving within the window after a send are collected and
 * sent at the window's end as one message (a JSON array).
 */
export class Outbox {
  private pending: OutgoingEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastSent = -Infinity;

  constructor(
    private readonly windowMs: number,
    private readonly send: (events: OutgoingEvent[]) => void,
  ) {}

  /** Queues events that must travel together. */
  enqueue(events: readonly OutgoingEvent[]): void {
    if (events.length === 0) return;
    const now = performance.now();
    if (this.timer === undefined && now - this.lastSent >= this.windowMs) {
      this.write([...events], now);
      return;
    }
    this.pending.push(...events);
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.lastSent + this.windowMs - now));
  }

  /** Sends whatever is pending now. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    this.write(events, performance.now());
  }

  /** Drops pending events and the timer (the socket is gone). */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }

  private write(events: OutgoingEvent[], now: number): void {
    this.lastSent = now;
    this.send(events);
  }
}
