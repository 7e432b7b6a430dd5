import { randomUUID } from 'node:crypto';
import type { AnyEvent, MethodResult, TasksFile } from '@taskmaster/protocol';

/**
 * The server's revision counter and a bounded log of recent events, so a
 * reconnecting client catches up with the events it missed instead of the
 * whole file. The epoch changes on every start: revisions of an old epoch
 * mean nothing.
 */
export class ChangeLog {
  readonly epoch: string = randomUUID();
  private current = 0;
  private entries: AnyEvent[] = [];

  constructor(private readonly capacity = 2000) {}

  get revision(): number {
    return this.current;
  }

  /** Gives the next revision to an event built by `make` and logs it. */
  append<E extends AnyEvent>(make: (revision: number) => E): E {
    const event = make(++this.current);
    this.entries.push(event);
    // Trim in chunks so appends stay O(1) amortised.
    if (this.entries.length > this.capacity * 1.25) this.entries.splice(0, this.entries.length - this.capacity);
    return event;
  }

  /** Events after `since`, or undefined when the log no longer reaches back that far. */
  since(since: number): AnyEvent[] | undefined {
    if (since > this.current) return undefined;
    if (since === this.current) return [];
    const first = this.entries[0];
    if (!first || revisionOf(first) > since + 1) return undefined;
    const start = this.entries.findIndex((e) => revisionOf(e) > since);
    return this.entries.slice(start);
  }

  /** The answer to `sync.pull`: missed events when possible, else a full snapshot. */
  pull(params: { since?: number | undefined; epoch?: string | undefined } | undefined, data: () => TasksFile): MethodResult<'sync.pull'> {
    const base = { epoch: this.epoch, revision: this.current };
    if (params?.since !== undefined && params.epoch === this.epoch) {
      const events = this.since(params.since);
      if (events) return { ...base, full: false, events };
    }
    return { ...base, full: true, events: [], data: data() };
  }
}

function revisionOf(event: AnyEvent): number {
  return (event.payload as { revision?: number }).revision ?? 0;
}
