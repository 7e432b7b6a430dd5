import type { ConnectionFile, MethodResult } from '@taskmaster/protocol';
import type { FastifyInstance } from 'fastify';
import { networkInterfaces } from 'node:os';
import { ConnectionFileWriter } from './connection-file.js';
import { SyncEngine } from './engine.js';
import { buildHttpApp } from './http/app.js';
import { httpCloser } from './http/close-http.js';
import { portInUse } from './listen.js';
import { urlHost, type ServerOptions } from './options.js';
import { Dispatcher } from './rpc/dispatch.js';
import { createHandlers, type CallContext, type ServerFacts } from './rpc/handlers.js';
import type { AccessPolicy } from './security.js';
import { OutgoingEvent } from './ws/outgoing-event.js';
import { SocketServer } from './ws/socket-server.js';
import { startTeamSync } from './team/team-sync.js';

/** A running sync server. */
export interface SyncServer {
  /** e.g. `ws://127.0.0.1:5173/taskmaster`. */
  readonly wsUrl: string;
  /** e.g. `http://127.0.0.1:5174`. */
  readonly httpUrl: string;
  readonly port: number;
  readonly httpPort: number;
  readonly host: string;
  /** The token clients must present (also in connection.json); undefined only when opted out. */
  readonly token: string | undefined;
  /** Random per start; revisions are only comparable within one epoch. */
  readonly epoch: string;
  /** The revision of the latest event. */
  readonly revision: number;
  status(): Promise<MethodResult<'sync.status'>>;
  /** Re-reads the file and broadcasts what changed; `force` also sends every subscriber a full snapshot. */
  reload(options?: { force?: boolean }): Promise<MethodResult<'sync.reload'>>;
  /** Tells every client (event `sync.shutdown`, code 1007), closes sockets and servers, removes connection.json. */
  close(reason?: string): Promise<void>;
}

/**
 * Starts the WebSocket server and its HTTP fallback for the project at
 * `options.root`. Rejects with TaskmasterError 1001 when a port is taken.
 */
export async function createServer(options: ServerOptions): Promise<SyncServer> {
  const engine = await SyncEngine.open(options);
  const team = await startTeamSync(engine).catch(async (err: unknown) => {
    await engine.close();
    throw err;
  });
  const o = engine.options;
  const policy: AccessPolicy = { token: o.token, allowedOrigins: o.allowedOrigins, allowedHosts: o.allowedHosts, boundHost: o.host, starting: true };
  const urls = { ws: '', http: '' };
  const facts: ServerFacts = {
    urls,
    team: () => team?.status(),
    connections: () =>
      [...engine.connections].map((c) => {
        const info: MethodResult<'sync.status'>['connections'][number] = { clientId: c.clientId, peer: c.peer, since: c.since, mode: 'websocket' };
        if (c.client !== undefined) info.client = c.client;
        if (c.envelope !== undefined) info.envelope = c.envelope;
        return info;
      }),
    sendSnapshots: () => {
      const event = new OutgoingEvent('sync.snapshot', { epoch: engine.changeLog.epoch, revision: engine.revision, data: engine.served });
      let sent = 0;
      for (const c of engine.connections) {
        if (c.patterns.size === 0) continue;
        c.deliver([event], true);
        sent++;
      }
      return sent;
    },
  };
  const handlers = createHandlers(engine, facts);
  const dispatcher = new Dispatcher<CallContext>(handlers, o.log);
  let connectionFile: ConnectionFileWriter | undefined;
  const sockets = new SocketServer(engine, dispatcher, policy, () => connectionFile?.schedule());
  let app: FastifyInstance | undefined;
  let closeHttp: (() => Promise<void>) | undefined;
  let port: number;
  let httpPort: number;
  try {
    port = await sockets.listen(o.port, o.host);
    app = buildHttpApp({ engine, dispatcher, policy, ...(o.boardDir !== undefined ? { board: { dir: o.boardDir, wsPort: port } } : {}) });
    closeHttp = httpCloser(app);
    httpPort = await listenHttp(app, o.httpPort, o.host);
    policy.ownOrigin = { scheme: o.tls ? 'https' : 'http', port: httpPort };
    if (o.host === '0.0.0.0' || o.host === '::') policy.localAddresses = interfaceAddresses();
  } catch (err) {
    await app?.close().catch(() => {});
    await sockets.close();
    await team?.close();
    await engine.close();
    throw err;
  }

  const host = urlHost(o.host);
  const scheme = o.tls ? 'wss' : 'ws';
  urls.ws = `${scheme}://${host}:${port}${o.path}`;
  urls.http = `${o.tls ? 'https' : 'http'}://${host}:${httpPort}`;
  const startedAt = engine.startedAt.toISOString();
  const snapshot = (): ConnectionFile => {
    const file: ConnectionFile = {
      pid: process.pid,
      host: o.host,
      port,
      httpPort,
      path: o.path,
      scheme,
      wsUrl: urls.ws,
      httpUrl: urls.http,
      epoch: engine.changeLog.epoch,
      startedAt,
      connections: facts.connections().map(({ envelope: _e, ...c }) => c),
    };
    if (o.token !== undefined) file.token = o.token;
    return file;
  };
  if (o.writeConnectionFile) {
    connectionFile = new ConnectionFileWriter(engine.store.paths.connectionFile, snapshot, o.log);
    await connectionFile.write();
  }
  policy.starting = false;
  o.log('info', 'sync server listening', { ws: urls.ws, http: urls.http, auth: o.token !== undefined });
  if (o.token === undefined) o.log('warn', noTokenWarning(port, httpPort, options.token === false ? 'token: false' : '"auth": "none" in .taskmaster/config/sync.json'));

  let closing: Promise<void> | undefined;
  const close = async (reason = 'the sync server is shutting down') => {
    // First stop accepting, so the list below is final: clients reconnect as soon as they are told.
    sockets.stopAccepting();
    const httpClosed = closeHttp!();
    const notice = new OutgoingEvent('sync.shutdown', { code: 1007, message: reason });
    const open = [...engine.connections];
    for (const c of open) {
      c.flush();
      c.send(notice.text(c.envelope ?? 'jsonrpc'));
      c.ws.close(1001, 'server shutdown');
    }
    await Promise.all([httpClosed, waitClosed(open, 1000), connectionFile?.remove()]);
    await sockets.close();
    // Last: calls that were already being handled may still commit (and reach the team's outbox).
    await engine.close();
    await team?.close();
    o.log('info', 'sync server stopped', {});
  };

  return {
    wsUrl: urls.ws,
    httpUrl: urls.http,
    port,
    httpPort,
    host: o.host,
    token: o.token,
    epoch: engine.changeLog.epoch,
    get revision() {
      return engine.revision;
    },
    status: async () => handlers['sync.status'](undefined, { peer: httpContextPeer() }),
    reload: async (opts) => handlers['sync.reload'](opts ?? {}, { peer: httpContextPeer() }),
    close: (reason) => (closing ??= close(reason)),
  };
}

/** This machine's addresses (a wildcard bind answers on each). */
function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address.toLowerCase()));
}

/** Said at every start without a token: which opt-out did it, and what it exposes. */
function noTokenWarning(port: number, httpPort: number, why: string): string {
  return `no token required (${why}): anyone who can reach port ${port} or ${httpPort} can read and change the tasks, any web page on a localhost port included`;
}

async function listenHttp(app: FastifyInstance, port: number, host: string): Promise<number> {
  try {
    await app.listen({ port, host });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portInUse(port, 'httpPort');
    throw err;
  }
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}

/** Waits for sockets to finish their closing handshake, then cuts the stragglers. */
async function waitClosed(conns: ReadonlyArray<{ ws: { readyState: number; CLOSED: number; terminate(): void; once(e: 'close', f: () => void): unknown } }>, ms: number): Promise<void> {
  await Promise.all(
    conns.map(
      ({ ws }) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === ws.CLOSED) return resolve();
          const timer = setTimeout(() => {
            ws.terminate();
            resolve();
          }, ms);
          ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    ),
  );
}

function httpContextPeer(): CallContext['peer'] {
  return { clientId: 'local', client: undefined, transport: 'http', envelope: undefined, patterns: new Set() };
}
