import { discoverServer, discoverServerCa } from './discovery.js';
import { nodeRequest } from './http-node.js';
import type { Platform } from './platform.js';
import type { WebSocketConstructor } from './socket.js';

/** Node's side of the client: `ws`, connection.json, and https with a given CA. */
export const nodePlatform: Platform = {
  async loadWs() {
    // Loaded on first use: Node 22 and Electron have a global WebSocket and never need it.
    const mod = (await import('ws')) as unknown as { WebSocket?: unknown; default?: unknown };
    return (mod.WebSocket ?? mod.default) as WebSocketConstructor;
  },
  discover: discoverServer,
  discoverCa: discoverServerCa,
  caRequest: nodeRequest,
};
