import { ErrorCode } from '@taskmaster/protocol';
import { tokensEqual } from './token.js';

/** The subprotocol a client offers to carry its token: `taskmaster.token.<token>`. */
export const TOKEN_PROTOCOL_PREFIX = 'taskmaster.token.';
/** The subprotocol the server echoes when a client offers it. */
export const PROTOCOL_V1 = 'taskmaster.v1';

/** What the access check needs from a request, for HTTP and WebSocket alike. */
export interface AccessRequest {
  origin?: string | undefined;
  host?: string | undefined;
  authorization?: string | undefined;
  /** Request target (path and query), for `?token=`. */
  url?: string | undefined;
  /** Offered WebSocket subprotocols. */
  protocols?: Iterable<string> | undefined;
  /** CORS preflights carry no credentials; only Origin and Host are checked. */
  preflight?: boolean;
  /**
   * A request for something that holds no task data (the board's files and
   * config): only Origin and Host are checked. The page gets the token in its
   * URL fragment, which browsers never send.
   */
  tokenFree?: boolean;
}

export interface AccessPolicy {
  token: string | undefined;
  allowedOrigins: readonly string[];
  allowedHosts: readonly string[];
  /** The host the server is bound to; allowed as a Host header too unless it is a wildcard. */
  boundHost: string;
  /**
   * True from listening until connection.json holds the token. A client that
   * looked there a moment too early (a restart on the same ports) is told to
   * retry (503) instead of being refused for good (401).
   */
  starting?: boolean;
  /**
   * The server's own HTTP origin (scheme and port; any host the Host check
   * allows), set once it listens: the board's page is served from there and
   * must reach the WebSocket, on loopback and on a LAN address alike.
   */
  ownOrigin?: { scheme: 'http' | 'https'; port: number };
  /**
   * This machine's interface addresses, for a wildcard bind (0.0.0.0, ::):
   * a Host header naming one is this server reached over the LAN. DNS
   * rebinding needs a name, never a literal address.
   */
  localAddresses?: readonly string[];
}

export type AccessDecision =
  | { ok: true; origin: string | undefined }
  | { ok: false; status: 401 | 403 | 503; code: ErrorCode; message: string };

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * The one gate of both doors (WebSocket upgrade and HTTP): a browser Origin
 * must be loopback or allow-listed, the Host header must name this machine or
 * be allow-listed (DNS rebinding), and a configured token must be presented.
 */
export function checkAccess(req: AccessRequest, policy: AccessPolicy): AccessDecision {
  if (!hostAllowed(req.host, policy)) {
    return deny(403, ErrorCode.FileAccessDenied, 'Host header not allowed; add it to "allowedHosts" in .taskmaster/config/sync.json');
  }
  if (req.origin !== undefined && !originAllowed(req.origin, policy)) {
    return deny(403, ErrorCode.FileAccessDenied, 'Origin not allowed; add it to "allowedOrigins" in .taskmaster/config/sync.json');
  }
  if (policy.token !== undefined && !req.preflight && !req.tokenFree) {
    const presented = presentedTokens(req);
    // Check every candidate so timing does not depend on which one matched.
    let ok = false;
    for (const t of presented) ok = tokensEqual(t, policy.token) || ok;
    if (!ok && policy.starting) {
      return deny(503, ErrorCode.ConnectionFailed, 'the server is starting; retry in a moment with the token of .taskmaster/config/connection.json');
    }
    if (presented.length === 0) {
      return deny(401, ErrorCode.AuthenticationFailed, 'a token is required: send "Authorization: Bearer <token>", ?token=<token> or the subprotocol taskmaster.token.<token>');
    }
    if (!ok) return deny(401, ErrorCode.AuthenticationFailed, 'the token is wrong; see .taskmaster/config/connection.json');
  }
  return { ok: true, origin: req.origin };
}

/** Picks the subprotocol to echo: `taskmaster.v1` if offered, never the token one. */
export function selectProtocol(offered: Iterable<string>): string | false {
  for (const p of offered) if (p === PROTOCOL_V1) return p;
  return false;
}

/** True for `http(s)://localhost|127.0.0.1|[::1]` with any port. */
export function isLoopbackOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_NAMES.has(url.hostname);
}

function originAllowed(origin: string, policy: AccessPolicy): boolean {
  return isLoopbackOrigin(origin) || isVscodeWebviewOrigin(origin) || policy.allowedOrigins.includes(origin) || isOwnOrigin(origin, policy);
}

/**
 * True for `vscode-webview://<id>`: the board in VS Code's webview (a fresh id per
 * panel, so it cannot be allow-listed). No web page can claim that scheme; the token
 * is still required.
 */
export function isVscodeWebviewOrigin(origin: string): boolean {
  return /^vscode-webview:\/\/[a-z0-9-]+$/i.test(origin);
}

/** The board's page, served by this server: its scheme and HTTP port, and a host this server answers to. */
function isOwnOrigin(origin: string, policy: AccessPolicy): boolean {
  const own = policy.ownOrigin;
  if (!own) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return url.protocol === `${own.scheme}:` && port === own.port && hostAllowed(url.host, policy);
}

function hostAllowed(host: string | undefined, policy: AccessPolicy): boolean {
  if (!host) return false;
  const name = hostName(host).toLowerCase();
  if (LOOPBACK_NAMES.has(name)) return true;
  if (policy.allowedHosts.includes(host) || policy.allowedHosts.includes(name)) return true;
  if (policy.localAddresses?.some((a) => a === name || `[${a}]` === name)) return true;
  const bound = policy.boundHost.toLowerCase();
  return bound !== '0.0.0.0' && bound !== '::' && (name === bound || name === `[${bound}]`);
}

/** `example.com:80` → `example.com`; `[::1]:80` → `[::1]`. */
function hostName(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

function presentedTokens(req: AccessRequest): string[] {
  const out: string[] = [];
  const auth = req.authorization;
  if (auth && /^bearer /i.test(auth)) out.push(auth.slice(7).trim());
  if (req.url) {
    const q = req.url.indexOf('?');
    if (q >= 0) {
      const t = new URLSearchParams(req.url.slice(q + 1)).get('token');
      if (t) out.push(t);
    }
  }
  for (const p of req.protocols ?? []) if (p.startsWith(TOKEN_PROTOCOL_PREFIX)) out.push(p.slice(TOKEN_PROTOCOL_PREFIX.length));
  return out;
}

function deny(status: 401 | 403 | 503, code: ErrorCode, message: string): AccessDecision {
  return { ok: false, status, code, message };
}
