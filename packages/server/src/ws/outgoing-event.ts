import { jsonRpcNotification, syncEvent } from '@taskmaster/protocol';

let sequence = 0;

/**
 * An event on its way out, serialised at most once per envelope no matter how
 * many connections receive it.
 */
export class OutgoingEvent {
  private asJsonRpc: string | undefined;
  private asSync: string | undefined;
  private readonly id = `ev-${++sequence}`;

  constructor(
    readonly event: string,
    readonly payload: unknown,
  ) {}

  /** The JSON text in `envelope`. */
  text(envelope: 'jsonrpc' | 'sync'): string {
    if (envelope === 'sync') return (this.asSync ??= JSON.stringify(syncEvent(this.id, this.event, this.payload)));
    return (this.asJsonRpc ??= JSON.stringify(jsonRpcNotification(this.event, this.payload)));
  }
}
