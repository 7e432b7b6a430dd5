// The browser entry: no `ws`, no `node:` module (see platform.ts). Same API as
// the Node entry, minus connection.json discovery.
export { createClient } from './browser-client.js';
export type { ClientMode, ClientOptions, EventPattern, ParamsArg, TaskmasterClient } from './options.js';
export type { Replica } from './replica.js';
export { backoffDelay, backoffCeiling, type BackoffOptions } from './backoff.js';
export { fileProblemNotice, NO_SERVER_PROBLEMS, tagProblems, watchServerProblems, type ServerProblems } from './server-problems.js';
