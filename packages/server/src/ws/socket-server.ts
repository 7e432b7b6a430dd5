import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '@taskmaster/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SyncEngine } from '../engine.js';
import { listen } from '../listen.js';
import type { CallContext } from '../rpc/handlers.js';
import type { Dispatcher } from '../rpc/dispatch.js';
import { checkAccess, selectProtocol, type AccessPolicy } from '../security.js';
import { Connection } from './connection.js';
import { SnapshotNotice } from './snapshot-notice.js';

/** The WebSocket door: its own HTTP(S) server, the upgrade gate, heartbeats. */
export class SocketServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private heartbeat: NodeJS.Timeout | undefined;
  /** When the last beat ran: a beat much later than its interval follows a stall of this process. */
  private lastBeatAt = 0;
  /** Upgrades accepted but not yet open count against maxConnections too. */
  private upgrading = 0;
  /** Set once the server stops accepting; resolves when its HTTP server has closed. */
  private closed: Promise<void> | undefined;
  private readonly snapshots: SnapshotNotice;

  constructor(
    private readonly engine: SyncEngine,
    private readonly dispatcher: Dispatcher<CallContext>,
    private readonly policy: AccessPolicy,
    private readonly onConnectionsChanged: () => void,
  ) {
    const { options } = engine;
    this.snapshots = new SnapshotNotice(engine);
    this.http = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }) : createHttpServer();
    this.http.on('request', (req, res) => {
      const status = pathOf(req.url) === options.path ? 426 : 404;
      const body = JSON.stringify({ error: { code: ErrorCode.ConnectionFailed, message: status === 426 ? 'this endpoint speaks WebSocket only; use the HTTP API on the http port' : 'not found' } });
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 426 ? { upgrade: 'websocket' } : {}) });
      res.end(body);
    });
    this.http.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayloadBytes,
      // ws applies the threshold only without context takeover; with it, every
      // message (both ways) goes through zlib, which halved throughput. Fast
      // level and small windows keep zlib time and per-connection memory low.
      // Only long replies are compressed (see SendQueue); broadcast events go out as shared,
      // uncompressed Buffers (see SendQueue), as compressing them per
      // connection cost a copy and a zlib job per client per event.
      perMessageDeflate: {
        threshold: 1024,
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 12,
        zlibDeflateOptions: { level: 1, memLevel: 7 },
      },
      clientTracking: false,
      handleProtocols: (offered) => selectProtocol(offered),
    });
  }

  /** Starts listening; resolves with the bound port. */
  async listen(port: number, host: string): Promise<number> {
    const bound = await listen(this.http, port, host, 'port');
    const every = this.engine.options.heartbeatMs;
    this.lastBeatAt = performance.now();
    this.heartbeat = setInterval(() => this.beat(), every);
    this.heartbeat.unref();
    return bound;
  }

  /**
   * Stops listening and refuses further upgrades, at once: a client told to
   * go away reconnects within milliseconds, and a connection accepted after
   * the caller took its list of open ones would never be closed (the HTTP
   * server's close then waits for it forever).
   */
  stopAccepting(): void {
    if (this.closed) return;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.wss.close();
    this.closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeIdleConnections();
  }

  /** Stops accepting and resolves when the HTTP server has closed (open sockets are closed by the caller first). */
  async close(): Promise<void> {
    this.stopAccepting();
    this.http.closeAllConnections();
    await this.closed;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const { options } = this.engine;
    const { log } = options;
    // An upgrade on a keep-alive connection opened before the server stopped accepting.
    if (this.closed) return refuse(socket, 503, ErrorCode.ConnectionFailed, 'the sync server is shutting down');
    if (pathOf(req.url) !== options.path) return refuse(socket, 404, ErrorCode.ConnectionFailed, `no WebSocket endpoint here; connect to ${options.path}`);
    const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
    const access = checkAccess(
      { origin: req.headers.origin, host: req.headers.host, authorization: req.headers.authorization, url: req.url, protocols },
      this.policy,
    );
    if (!access.ok) {
      log('warn', 'refused a WebSocket connection', { status: access.status, code: access.code });
      return refuse(socket, access.status, access.code, access.message);
    }
    if (this.engine.connections.size + this.upgrading >= options.maxConnections) {
      log('warn', 'refused a WebSocket connection: too many connections', { max: options.maxConnections });
      return refuse(socket, 503, ErrorCode.ConnectionFailed, `the server already has ${options.maxConnections} connections; raise "maxConnections" in .taskmaster/config/sync.json`);
    }
    this.upgrading++;
    let settled = false;
    // handleUpgrade never calls back when the handshake fails, so the socket's close settles it too.
    const settle = () => {
      if (!settled) this.upgrading--;
      settled = true;
    };
    socket.once('close', settle);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      settle();
      this.accept(ws, req);
    });
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const { engine } = this;
    const { options } = engine;
    const peer = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? 0}`;
    const conn = new Connection(ws, clientName(req.url), peer, {
      maxBufferedBytes: options.maxBufferedBytes,
      batchWindowMs: options.batchWindowMs,
      resyncNotice: () => this.snapshots.current(),
      log: options.log,
    });
    engine.connections.add(conn);
    options.log('info', 'client connected', { clientId: conn.clientId, client: conn.client, connections: engine.connections.size });
    const ctx: CallContext = { peer: conn };

    ws.on('message', (data: Buffer | Buffer[] | ArrayBuffer) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
      this.dispatcher.handleText(text, ctx).then(
        (reply) => {
          if (reply !== undefined) conn.reply(reply);
        },
        (err: unknown) => options.log('error', 'message handling failed', { error: err instanceof Error ? err.name : 'unknown' }),
      );
    });
    ws.on('pong', () => (conn.alive = true));
    ws.on('error', (err) => options.log('warn', 'socket error', { clientId: conn.clientId, error: err.message }));
    ws.on('close', (code) => {
      conn.dispose();
      if (!engine.connections.delete(conn)) return;
      options.log('info', 'client disconnected', { clientId: conn.clientId, code, connections: engine.connections.size });
      const payload = { clientId: conn.clientId, client: conn.client, reason: String(code), connections: engine.connections.size };
      if (payload.client === undefined) delete payload.client;
      engine.emit('sync.disconnected', payload);
      this.onConnectionsChanged();
    });

    const payload = { clientId: conn.clientId, client: conn.client, connections: engine.connections.size, revision: engine.revision };
    if (payload.client === undefined) delete payload.client;
    engine.emit('sync.connected', payload);
    this.onConnectionsChanged();
  }

  /**
   * Terminates peers that neither answered the last ping nor took any data
   * since. Not in a beat a quarter of an interval late or more: it follows a
   * stall of this process (a long collection, a starved CPU), and timers run
   * before the I/O that waited meanwhile, so every peer's pong would still be
   * unread and every peer dropped. The next beat on time judges them.
   */
  private beat(): void {
    const now = performance.now();
    const stalled = now - this.lastBeatAt > this.engine.options.heartbeatMs * 1.25;
    this.lastBeatAt = now;
    if (stalled) return;
    for (const conn of this.engine.connections) {
      if (conn.beat()) continue;
      this.engine.options.log('warn', 'dropping a client that stopped answering pings and reading', { clientId: conn.clientId });
      conn.ws.terminate();
    }
  }
}

/** Answers a refused upgrade with a JSON error body and closes the socket. */
function refuse(socket: Duplex, status: number, code: number, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
}

/** The `?client=<name>` a client names itself with, kept short and printable. */
function clientName(url: string | undefined): string | undefined {
  const q = (url ?? '').indexOf('?');
  if (q < 0) return undefined;
  const name = new URLSearchParams(url!.slice(q + 1)).get('client');
  if (!name) return undefined;
  return name.replace(/[^\w.@:/ -]/g, '').slice(0, 64) || undefined;
}
