/**
 * Server addresses from the `taskmaster.host/port/httpPort/token` settings.
 * Pure: no vscode import. Anything left empty comes from connection.json.
 */

/** The settings that name a server. */
export interface EndpointSettings {
  host: string;
  port: number;
  httpPort: number;
  token: string;
}

/** Explicit client options from the settings; `{}` when connection.json should decide. */
export function explicitEndpoints(settings: EndpointSettings): { url?: string; httpUrl?: string; token?: string } {
  const host = settings.host || '127.0.0.1';
  const out: { url?: string; httpUrl?: string; token?: string } = {};
  if (settings.port > 0) out.url = `ws://${host}:${settings.port}/taskmaster`;
  if (settings.httpPort > 0) out.httpUrl = `http://${host}:${settings.httpPort}`;
  if (settings.token) out.token = settings.token;
  return out;
}

/** Where the board's page connects: WebSocket, HTTP fallback, token. */
export interface BoardEndpoints {
  url: string;
  httpUrl?: string;
  token?: string;
}

/** What the board needs of a running server's connection.json. */
export interface DiscoveredServer {
  wsUrl: string;
  httpUrl: string;
  token?: string | undefined;
}

/**
 * The board's endpoints: the settings where they name one, else what the
 * running server wrote in connection.json. Undefined when neither names a
 * WebSocket address (no server runs).
 */
export function boardEndpoints(settings: EndpointSettings, discovered: DiscoveredServer | undefined): BoardEndpoints | undefined {
  const explicit = explicitEndpoints(settings);
  const url = explicit.url ?? discovered?.wsUrl;
  if (!url) return undefined;
  const endpoints: BoardEndpoints = { url };
  const httpUrl = explicit.httpUrl ?? discovered?.httpUrl;
  if (httpUrl) endpoints.httpUrl = httpUrl;
  const token = explicit.token ?? discovered?.token;
  if (token) endpoints.token = token;
  return endpoints;
}
