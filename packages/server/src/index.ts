export { createServer, type SyncServer } from './create-server.js';
export type { ServerOptions, ServerLog } from './options.js';
export { checkAccess, selectProtocol, isLoopbackOrigin, PROTOCOL_V1, TOKEN_PROTOCOL_PREFIX, type AccessRequest, type AccessPolicy, type AccessDecision } from './security.js';
export { generateToken } from './token.js';
export { SERVER_ENV, SERVER_NODE_FLAGS } from './node-flags.js';
