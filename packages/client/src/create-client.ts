import { createClientOn } from './client.js';
import { nodePlatform } from './node-platform.js';
import type { ClientOptions, TaskmasterClient } from './options.js';

/**
 * Creates a client and starts connecting. Calls made before it is connected
 * wait in order; use `ready()` to wait for the connection itself.
 */
export function createClient(options: ClientOptions): TaskmasterClient {
  return createClientOn(nodePlatform, options);
}
