export { createClient } from './create-client.js';
export { discoverServer, CONNECTION_FILE, SERVER_CERT_FILE } from './discovery.js';
export type { ClientMode, ClientOptions, ClientTlsOptions, EventPattern, ParamsArg, TaskmasterClient, TlsCa } from './options.js';
export type { Replica } from './replica.js';
export { backoffDelay, backoffCeiling, type BackoffOptions } from './backoff.js';
export { fileProblemNotice, NO_SERVER_PROBLEMS, tagProblems, watchServerProblems, type ServerProblems } from './server-problems.js';
