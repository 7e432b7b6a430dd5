import { createClientOn } from './client.js';
import type { ClientOptions, TaskmasterClient } from './options.js';

/**
 * Creates a client in a browser (or a webview): the platform's WebSocket and
 * fetch, nothing else. Give `url` and `token`; `root` and `tls` are Node's.
 * The token travels as a WebSocket subprotocol, never in a URL.
 */
export function createClient(options: ClientOptions): TaskmasterClient {
  return createClientOn({}, options);
}
