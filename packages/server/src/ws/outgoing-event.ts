import { jsonRpcNotification, syncEvent } from '@taskmaster/protocol';

let sequence = 0;

/**
 * An event on its way out, serialised at most once per envelope no matter how
 * many connections receive it. The bytes are one Buffer that every socket
 * writes as is (events go out uncompressed), so a broadcast to a thousand
 * connections holds the event once, not a thousand times.
 */
export class OutgoingEvent {
  private asJsonRpc: Buffer | undefined;
  private asSync: Buffer | undefined;
  private readonly id = `ev-${++sequence}`;

  constructor(
    readonly event: string,
    readonly payload: unknown,
  ) {}

  /** The UTF-8 JSON bytes in `envelope`, shared by every connection. */
  bytes(envelope: 'jsonrpc' | 'sync'): Buffer {
    if (envelope === 'sync') return (this.asSync ??= Buffer.from(JSON.stringify(syncEvent(this.id, this.event, this.payload))));
    return (this.asJsonRpc ??= Buffer.from(JSON.stringify(jsonRpcNotification(this.event, this.payload))));
  }

  /** The JSON text in `envelope`. */
  text(envelope: 'jsonrpc' | 'sync'): string {
    return this.bytes(envelope).toString('utf8');
  }
}
