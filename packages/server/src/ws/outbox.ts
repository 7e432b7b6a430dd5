/**
 * Batches outgoing events per connection. Leading edge: when the connection
 * has been idle for a window, events go out at once (a lone update is never
 * delayed); events arriving within the window after a send are collected and
 * sent at the window's end as one message (a JSON array).
 */
export class Outbox {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastSent = -Infinity;

  constructor(
    private readonly windowMs: number,
    private readonly send: (text: string) => void,
  ) {}

  /** Queues serialised messages that must travel together. */
  enqueue(parts: string[]): void {
    if (parts.length === 0) return;
    const now = performance.now();
    if (this.timer === undefined && now - this.lastSent >= this.windowMs) {
      this.write(parts, now);
      return;
    }
    this.pending.push(...parts);
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.lastSent + this.windowMs - now));
  }

  /** Sends whatever is pending now. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const parts = this.pending;
    this.pending = [];
    this.write(parts, performance.now());
  }

  /** Drops pending messages and the timer (the socket is gone). */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }

  private write(parts: string[], now: number): void {
    this.lastSent = now;
    this.send(parts.length === 1 ? parts[0]! : `[${parts.join(',')}]`);
  }
}
