import type { WebSocket } from 'ws';
import type { OutgoingEvent } from './outgoing-event.js';
import { writePreparedFrame } from './prepared-frame.js';

/**
 * How far ahead of the peer data is handed to the socket. Past that, messages
 * wait in the backlog, where queued events can still be replaced by one resync
 * notice; once handed to `ws` they cannot.
 */
export const IN_FLIGHT_BYTES = 64 * 1024;

/** Largest frame written: the peer's progress is seen at least this often within a large message. */
const FRAGMENT_BYTES = 64 * 1024;

type Envelope = 'jsonrpc' | 'sync';

type Item =
  | { kind: 'events'; events: OutgoingEvent[]; bytes: number }
  | { kind: 'reply'; text: string; bytes: number }
  | { kind: 'resync' };

/**
 * Replies this long or longer are compressed (a tag's list, a snapshot).
 * A shorter one, such as a write's reply carrying its task, saves a few
 * hundred bytes compressed but costs a zlib job and its stream callbacks on
 * the event loop: about a tenth of the server's time under a stream of
 * updates.
 */
const COMPRESS_REPLIES_FROM = 16 * 1024;

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/** What a {@link SendQueue} needs besides its socket. */
export interface SendQueueOptions {
  /** Queued event bytes beyond which the queued events become one resync notice; also the reply bound. */
  maxQueuedBytes: number;
  envelope: () => Envelope;
  /** The notice that replaces dropped events: a `sync.snapshot` of the current version. */
  resyncNotice: () => OutgoingEvent;
  /** Called when queued events were replaced by a resync notice. */
  onOverflow: (droppedBytes: number) => void;
  /** Called with true when replies pile up (stop reading the peer's requests), false when they drained. */
  onReplyPressure: (pressed: boolean) => void;
  /** Called when everything handed to the socket was taken and nothing waits. */
  onDrained: () => void;
}

/**
 * One connection's flow control. Data goes to the socket while less than
 * {@link IN_FLIGHT_BYTES} is unacknowledged (written callbacks count bytes the
 * kernel took, i.e. the peer's progress); the rest waits in a backlog bounded
 * by `maxQueuedBytes`: beyond it, the queued events are dropped and replaced by
 * one resync notice, built when it is finally sent so it holds everything the
 * dropped events and any later ones would have said.
 *
 * Events are written uncompressed from the Buffers every connection shares
 * (one event as its prepared frame, a batch as one fragmented message: `[`,
 * event, `,`, …, `]`), so compression never costs memory per connection per
 * event; replies keep permessage-deflate.
 */
export class SendQueue {
  /**
   * Bytes the kernel has taken from this socket so far: the peer's progress.
   * It shows only when the kernel makes room in the socket's send buffer, in
   * bursts a slow reader makes seconds apart (one reading 512 KB/s: over 2 s),
   * so liveness is judged per heartbeat, never by a gap between bursts.
   */
  taken = 0;
  private backlog: Item[] = [];
  private queuedEventBytes = 0;
  private queuedReplyBytes = 0;
  private inFlight = 0;
  private resyncQueued = false;
  private replyPressure = false;
  private disposed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly options: SendQueueOptions,
  ) {}

  /** Bytes handed to the socket but not yet taken, plus the backlog. */
  get unsent(): number {
    return this.inFlight + this.queuedEventBytes + this.queuedReplyBytes;
  }

  /** Queues events that travel together (one message). A `sync.snapshot` among them supersedes queued events. */
  pushEvents(events: OutgoingEvent[]): void {
    if (this.disposed || events.length === 0) return;
    const bytes = batchBytes(events, this.options.envelope());
    if (events.some((e) => e.event === 'sync.snapshot')) this.dropQueuedEvents();
    else if (this.resyncQueued) return; // the notice, built when sent, covers these
    const item: Item = { kind: 'events', events, bytes };
    if (this.backlog.length === 0 && this.inFlight < IN_FLIGHT_BYTES) return this.write(item);
    if (this.queuedEventBytes + bytes > this.options.maxQueuedBytes) {
      const dropped = this.dropQueuedEvents() + bytes;
      this.backlog.push({ kind: 'resync' });
      this.resyncQueued = true;
      this.options.onOverflow(dropped);
      return;
    }
    this.backlog.push(item);
    this.queuedEventBytes += bytes;
  }

  /** Queues a reply; replies are never dropped, but too many unread ones stop the peer's requests being read. */
  pushReply(text: string): void {
    if (this.disposed) return;
    const bytes = Buffer.byteLength(text);
    const item: Item = { kind: 'reply', text, bytes };
    if (this.backlog.length === 0 && this.inFlight < IN_FLIGHT_BYTES) return this.write(item);
    this.backlog.push(item);
    this.queuedReplyBytes += bytes;
    if (!this.replyPressure && this.queuedReplyBytes > this.options.maxQueuedBytes) {
      this.replyPressure = true;
      this.options.onReplyPressure(true);
    }
  }

  /** Hands the whole backlog to the socket now (before a shutdown notice); resync notices are skipped. */
  flush(): void {
    const items = this.backlog;
    this.clearBacklog();
    for (const item of items) if (item.kind !== 'resync') this.write(item);
  }

  /** Drops the backlog (the socket is gone). */
  dispose(): void {
    this.disposed = true;
    this.clearBacklog();
  }

  private clearBacklog(): void {
    this.backlog = [];
    this.queuedEventBytes = 0;
    this.queuedReplyBytes = 0;
    this.resyncQueued = false;
  }

  /** Removes queued events and any resync notice; returns the event bytes dropped. */
  private dropQueuedEvents(): number {
    const dropped = this.queuedEventBytes;
    if (dropped === 0 && !this.resyncQueued) return 0;
    this.backlog = this.backlog.filter((item) => item.kind === 'reply');
    this.queuedEventBytes = 0;
    this.resyncQueued = false;
    return dropped;
  }

  private write(item: Item): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (item.kind === 'resync') {
      this.resyncQueued = false;
      const notice = [this.options.resyncNotice()];
      return this.write({ kind: 'events', events: notice, bytes: batchBytes(notice, this.options.envelope()) });
    }
    this.inFlight += item.bytes;
    if (item.kind === 'reply') return this.sendFragments([Buffer.from(item.text)], item.text.length >= COMPRESS_REPLIES_FROM);
    const envelope = this.options.envelope();
    if (item.events.length === 1) {
      const event = item.events[0]!;
      // One frame, prepared once for every connection, when ws's sender holds nothing that must go first.
      if (item.bytes <= FRAGMENT_BYTES && writePreparedFrame(this.ws, event.frame(envelope), (err) => this.onTaken(item.bytes, err ?? undefined))) return;
      return this.sendFragments([event.bytes(envelope)], false);
    }
    // A JSON array made of each event's shared Buffer, never copied into a per-connection array.
    const parts: Buffer[] = [OPEN];
    item.events.forEach((e, i) => parts.push(e.bytes(envelope), i === item.events.length - 1 ? CLOSE : COMMA));
    this.sendFragments(parts, false);
  }

  /**
   * Writes `parts` as one message, in frames of at most {@link FRAGMENT_BYTES},
   * each with its own written callback: the peer's progress shows within a
   * large message too, not only at its end. `compress` asks ws to deflate it.
   */
  private sendFragments(parts: Buffer[], compress: boolean): void {
    const frames = parts.flatMap((part) => split(part, FRAGMENT_BYTES));
    frames.forEach((frame, i) => {
      const fin = i === frames.length - 1;
      this.ws.send(frame, { binary: false, compress, fin }, (err) => this.onTaken(frame.length, err));
    });
  }

  /** A write completed: more may go. */
  private onTaken(bytes: number, err: Error | undefined): void {
    this.inFlight -= bytes;
    if (err || this.disposed) return;
    this.taken += bytes;
    this.pump();
    if (this.inFlight === 0 && this.backlog.length === 0) this.options.onDrained();
  }

  private pump(): void {
    while (this.backlog.length > 0 && this.inFlight < IN_FLIGHT_BYTES) {
      const item = this.backlog.shift()!;
      if (item.kind === 'events') this.queuedEventBytes -= item.bytes;
      else if (item.kind === 'reply') this.queuedReplyBytes -= item.bytes;
      this.write(item);
    }
    if (this.replyPressure && this.queuedReplyBytes <= this.options.maxQueuedBytes / 2) {
      this.replyPressure = false;
      this.options.onReplyPressure(false);
    }
  }
}

/** `part` in pieces of at most `size` bytes (views, not copies). */
function split(part: Buffer, size: number): Buffer[] {
  if (part.length <= size) return [part];
  const pieces: Buffer[] = [];
  for (let at = 0; at < part.length; at += size) pieces.push(part.subarray(at, at + size));
  return pieces;
}

/** The size of `events` as one message: one event as is, several as a JSON array. */
function batchBytes(events: readonly OutgoingEvent[], envelope: Envelope): number {
  let bytes = events.length > 1 ? events.length + 1 : 0;
  for (const e of events) bytes += e.bytes(envelope).length;
  return bytes;
}
