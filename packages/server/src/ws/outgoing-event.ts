import { jsonRpcNotification, syncEvent, taskPatchOf, type EventPayload } from '@taskmaster/protocol';
import { prepareFrame, type PreparedFrame } from './prepared-frame.js';

let sequence = 0;

/**
 * An event on its way out, serialised and framed at most once per envelope
 * no matter how many connections receive it. The bytes are one Buffer that
 * every socket writes as is (events go out uncompressed), so a broadcast to a
 * thousand connections holds the event once, not a thousand times.
 */
export class OutgoingEvent {
  private asJsonRpc: PreparedFrame | undefined;
  private asSync: PreparedFrame | undefined;
  private asPatch: OutgoingEvent | undefined;
  private readonly id = `ev-${++sequence}`;

  constructor(
    readonly event: string,
    readonly payload: unknown,
  ) {}

  /** The UTF-8 JSON bytes in `envelope`, shared by every connection. */
  bytes(envelope: 'jsonrpc' | 'sync'): Buffer {
    return this.prepared(envelope).payload;
  }

  /** The same bytes as one whole WebSocket text frame (see {@link prepareFrame}). */
  frame(envelope: 'jsonrpc' | 'sync'): Buffer {
    return this.prepared(envelope).frame;
  }

  /**
   * A `task.updated` as `task.patched` (only what changed), made once and
   * shared by every connection that asked for patches; undefined for any
   * other event.
   */
  patched(): OutgoingEvent | undefined {
    if (this.event !== 'task.updated') return undefined;
    return (this.asPatch ??= new OutgoingEvent('task.patched', taskPatchOf(this.payload as EventPayload<'task.updated'>)));
  }

  /** The JSON text in `envelope`. */
  text(envelope: 'jsonrpc' | 'sync'): string {
    return this.bytes(envelope).toString('utf8');
  }

  private prepared(envelope: 'jsonrpc' | 'sync'): PreparedFrame {
    if (envelope === 'sync') return (this.asSync ??= prepareFrame(JSON.stringify(syncEvent(this.id, this.event, this.payload))));
    return (this.asJsonRpc ??= prepareFrame(JSON.stringify(jsonRpcNotification(this.event, this.payload))));
  }
}
