import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { TlsCa } from './options.js';
import { loadWebSocket, messageText, refusalStatus, type WebSocketConstructor, type WebSocketLike } from './socket.js';

/** Where to connect, resolved again before every attempt. */
export interface SocketEndpoint {
  url: string;
  token?: string;
  /** Certificates to trust (Node only; given to `ws` as `ca`). */
  ca?: TlsCa;
}

/** Why a socket went away. */
export interface SocketDown {
  /** Whether it had opened (false: the attempt itself failed). */
  opened: boolean;
  /** The HTTP status of a refused upgrade, when known (`ws` reports it; browsers do not). */
  status?: number;
  code?: number;
  reason?: string;
  /** The token the attempt presented (undefined: none), so a refusal (401) can be told from one of a stale token. */
  token?: string;
}

export interface ConnectionOptions {
  clientName?: string;
  WebSocket?: unknown;
  /** The platform's `ws` (Node); see {@link loadWebSocket}. */
  loadWs?: () => Promise<WebSocketConstructor>;
  reconnect: BackoffOptions | false;
  handshakeTimeoutMs: number;
  resolve(): Promise<SocketEndpoint | undefined>;
  onOpen(socket: WebSocketLike): void;
  onMessage(text: string): void;
  /** Called when a socket closes or an attempt fails, before the next attempt is scheduled. */
  onDown(down: SocketDown): void;
}

const TOKEN_PROTOCOL = 'taskmaster.token.';
/** Offered with the token so the server has a subprotocol to echo (browsers and `ws` fail without one). */
const PROTOCOL_V1 = 'taskmaster.v1';

/**
 * The socket's lifecycle: connect, reconnect with backoff after every loss,
 * stop. It knows nothing of JSON-RPC; the client composes it with the rest.
 */
export class Connection {
  private socket: WebSocketLike | undefined;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Gives up an attempt whose handshake has not ended in time (see {@link connect}). */
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: ConnectionOptions) {}

  start(): void {
    void this.connect();
  }

  /** Stops reconnecting; closes the socket and resolves when it is closed. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    clearTimeout(this.handshakeTimer);
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return this.closing ?? Promise.resolve();
    this.closing = new Promise<void>((resolve) => {
      // A peer that never answers the close handshake must not hold close() forever.
      const fallback = setTimeout(resolve, 1000);
      abandon(socket, () => {
        clearTimeout(fallback);
        resolve();
      }, 1000, 'client closed');
    });
    return this.closing;
  }

  /** Closes the current socket so the normal reconnect path runs (a failed resync). */
  drop(reason: string): void {
    try {
      this.socket?.close(4000, reason);
    } catch {
      // Already closed: its onclose has run or will run.
    }
  }

  private async connect(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    let endpoint: SocketEndpoint | undefined;
    let ctor;
    try {
      endpoint = await this.options.resolve();
      ctor = endpoint && (await loadWebSocket(this.options.WebSocket, endpoint.ca !== undefined, this.options.loadWs));
    } catch {
      endpoint = undefined;
    }
    if (this.stopped) return;
    if (!endpoint || !ctor) {
      this.down({ opened: false, reason: 'no server to connect to' });
      return;
    }
    const url = new URL(endpoint.url);
    const { token } = endpoint;
    if (this.options.clientName) url.searchParams.set('client', this.options.clientName);
    const protocols: string[] = [];
    // No `handshakeTimeout`: the timer below gives up a handshake in every runtime, `ws` included.
    const wsOptions: Record<string, unknown> = {};
    // `ws` (and a given Node constructor built on it) trusts it; browsers ignore the third argument.
    if (endpoint.ca !== undefined) wsOptions.ca = endpoint.ca;
    if (token && ctor.canSendHeaders) wsOptions.headers = { Authorization: `Bearer ${token}` };
    else if (token) protocols.push(PROTOCOL_V1, TOKEN_PROTOCOL + token);

    let socket: WebSocketLike;
    try {
      socket = new ctor.WebSocket(url.toString(), protocols, wsOptions);
    } catch (err) {
      this.down({ opened: false, reason: err instanceof Error ? err.message : String(err) });
      return;
    }
    this.socket = socket;
    let opened = false;
    let status: number | undefined;
    // Browsers take no handshake timeout: a handshake that never ends would hold this attempt, and the
    // fallback to HTTP, for good. Given up here, it fails like a refused attempt instead.
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = setTimeout(() => {
      if (this.socket !== socket || opened) return;
      this.socket = undefined;
      abandon(socket, () => {});
      this.down({ opened: false, reason: `no WebSocket handshake within ${this.options.handshakeTimeoutMs} ms` });
    }, this.options.handshakeTimeoutMs);
    socket.onopen = () => {
      clearTimeout(this.handshakeTimer);
      opened = true;
      this.attempt = 0;
      this.options.onOpen(socket);
    };
    socket.onmessage = (event) => this.options.onMessage(messageText(event.data));
    socket.onerror = (event) => {
      status ??= refusalStatus(event);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      clearTimeout(this.handshakeTimer);
      this.socket = undefined;
      this.down({ opened, status, code: event.code, reason: event.reason, token });
    };
  }

  private down(down: SocketDown): void {
    this.options.onDown(down);
    if (this.stopped || this.options.reconnect === false) return;
    const delay = backoffDelay(this.attempt++, this.options.reconnect);
    this.timer = setTimeout(() => void this.connect(), delay);
  }
}

/**
 * Closes a socket this connection is done with: none of its events reach the
 * connection any more (an error it still raises is swallowed), and `closed`
 * runs once it has closed, or at once when it cannot be closed (closed
 * already).
 */
function abandon(socket: WebSocketLike, closed: () => void, code?: number, reason?: string): void {
  socket.onopen = socket.onmessage = null;
  socket.onclose = closed;
  socket.onerror = () => {};
  try {
    socket.close(code, reason);
  } catch {
    closed();
  }
}
