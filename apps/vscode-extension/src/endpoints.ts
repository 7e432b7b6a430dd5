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
