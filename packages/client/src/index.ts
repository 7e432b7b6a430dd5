export { createClient } from './client.js';
export { discoverServer, CONNECTION_FILE } from './discovery.js';
export type { ClientMode, ClientOptions, EventPattern, ParamsArg, TaskmasterClient } from './options.js';
export type { Replica } from './replica.js';
export { backoffDelay, backoffCeiling, type BackoffOptions } from './backoff.js';
