import {
  ErrorCode,
  EventPatternSchema,
  TaskmasterError,
  type JsonRpcResponse,
  type MethodName,
  type MethodResult,
} from '@taskmaster/protocol';
import { Connection, type SocketDown } from './connection.js';
import { EventBus, type EventListener } from './emitter.js';
import { httpTransport, type HttpEndpoint } from './http.js';
import type { ClientMode, ClientOptions, ParamsArg, TaskmasterClient, TlsCa } from './options.js';
import type { Platform } from './platform.js';
import { Poller } from './polling.js';
import { ReplicaStore, type Replica } from './replica.js';
import { RequestManager, type Transport } from './requests.js';
import { OPEN, type WebSocketLike } from './socket.js';
import { Synchronizer } from './sync.js';

interface Endpoints {
  wsUrl?: string;
  httpUrl?: string;
  token?: string;
  ca?: TlsCa;
}

/**
 * Creates a client on `platform` and starts connecting; the Node and browser
 * entries each pass theirs (see `createClient`).
 */
export function createClientOn(platform: Platform, options: ClientOptions): TaskmasterClient {
  return new Client(options, platform);
}

class Client implements TaskmasterClient {
  private currentMode: ClientMode = 'offline';
  private readonly bus = new EventBus();
  private readonly modeHandlers = new Set<(mode: ClientMode) => void>();
  private readonly store: ReplicaStore | undefined;
  private readonly sync: Synchronizer;
  private readonly requests: RequestManager;
  private readonly connection: Connection;
  private readonly poller: Poller | undefined;
  private readonly http: Transport;
  private readonly subscriptions: string[];
  private endpoints: Endpoints = {};
  private socketTransport: Transport | undefined;
  private probing = false;
  /** A full pull after a refused event is under way. */
  private healing = false;
  private closed = false;
  /** Aborted by close() or a refusal for good: every HTTP request under way ends then. */
  private readonly httpEnd = new AbortController();
  private fatal: TaskmasterError | undefined;
  private readonly waiters = new Set<{ resolve: () => void; reject: (err: TaskmasterError) => void }>();

  constructor(
    private readonly options: ClientOptions,
    private readonly platform: Platform,
  ) {
    if (!options.url && !options.root) {
      throw new TaskmasterError(ErrorCode.InvalidParams, 'createClient needs `url` (ws://host:port/taskmaster) or `root` (a project with a running server)');
    }
    if (options.root !== undefined && !platform.discover) {
      throw new TaskmasterError(ErrorCode.InvalidParams, 'createClient: `root` needs Node (it reads connection.json); in a browser give `url` and `token`');
    }
    this.subscriptions = options.subscribe ?? ['*'];
    for (const pattern of this.subscriptions) {
      if (!EventPatternSchema.safeParse(pattern).success) {
        throw new TaskmasterError(ErrorCode.InvalidParams, `cannot subscribe to "${pattern}": expected an event name, "*" or a pattern like "task.*"`);
      }
    }
    const timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.store = options.replica ? new ReplicaStore() : undefined;
    this.sync = new Synchronizer(this.bus, this.store, (error) => this.refusedEvent(error));
    this.requests = new RequestManager({ timeoutMs, queueLimit: options.queueLimit });
    const limits = { timeoutMs, closed: this.httpEnd.signal };
    this.http = httpTransport(() => this.httpEndpoint(), this.requests, limits);
    if (options.polling !== false) {
      this.poller = new Poller({
        intervalMs: options.polling?.intervalMs ?? 2000,
        limits,
        // With a root, each poll re-reads connection.json: a server restarted on the same ports has a new token.
        endpoint: async () =>
          (this.options.root === undefined ? this.httpEndpoint() : undefined) ?? this.httpEndpointOf(await this.resolveEndpoints()),
        since: () => (this.sync.synced ? { revision: this.sync.eventRevision, epoch: this.sync.epoch } : undefined),
        onChanges: (result) => this.sync.applyPull(result),
        onFailure: (err, token) => this.pollFailed(err, token),
      });
    }
    this.connection = new Connection({
      clientName: options.clientName,
      WebSocket: options.WebSocket,
      loadWs: platform.loadWs,
      reconnect: options.reconnect ?? {},
      handshakeTimeoutMs: timeoutMs,
      resolve: async () => {
        const endpoints = await this.resolveEndpoints();
        return endpoints.wsUrl ? { url: endpoints.wsUrl, token: endpoints.token, ca: endpoints.ca } : undefined;
      },
      onOpen: (socket) => void this.opened(socket),
      onMessage: (text) => this.received(text),
      onDown: (down) => this.socketDown(down),
    });
    this.connection.start();
  }

  get mode(): ClientMode {
    return this.currentMode;
  }

  get epoch(): string | undefined {
    return this.sync.epoch;
  }

  get revision(): number {
    return this.sync.revision;
  }

  get replica(): Replica | undefined {
    return this.store;
  }

  ready(timeoutMs = this.requests.timeoutMs): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closed) return Promise.reject(closedError());
    if (this.currentMode !== 'offline') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
        reject: (err: TaskmasterError) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(err);
        },
      };
      const timer = setTimeout(
        () => waiter.reject(new TaskmasterError(ErrorCode.ConnectionFailed, `not connected to the TaskMaster Sync server after ${timeoutMs} ms; is it running? (taskmaster sync server start)`)),
        timeoutMs,
      );
      this.waiters.add(waiter);
    });
  }

  async call<M extends MethodName>(method: M, ...params: ParamsArg<M>): Promise<MethodResult<M>> {
    if (this.fatal) throw this.fatal;
    const result = await this.requests.call(method, params[0]);
    this.sync.noteResult(result);
    return result as MethodResult<M>;
  }

  on(pattern: string, handler: (payload: never, name: never) => void): () => void {
    return this.bus.on(pattern, handler as unknown as EventListener);
  }

  onModeChange(handler: (mode: ClientMode) => void): () => void {
    this.modeHandlers.add(handler);
    return () => {
      this.modeHandlers.delete(handler);
    };
  }

  async resync(): Promise<void> {
    if (this.fatal) throw this.fatal;
    const result = await this.requests.call('sync.pull', this.pullParams());
    this.sync.applyPull(result as MethodResult<'sync.pull'>);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.poller?.stop();
    this.httpEnd.abort();
    this.requests.close(closedError());
    for (const waiter of [...this.waiters]) waiter.reject(closedError());
    await this.connection.stop();
    this.setMode('offline');
    this.bus.clear();
    this.modeHandlers.clear();
  }

  /** Subscribes and catches up through the new socket before letting calls through it. */
  private async opened(socket: WebSocketLike): Promise<void> {
    const transport: Transport = {
      name: 'WebSocket',
      send: (request) => {
        if (socket.readyState !== OPEN) return false;
        socket.send(JSON.stringify(request));
        return true;
      },
    };
    this.socketTransport = transport;
    this.sync.beginResync();
    try {
      // A replica holds every task: updates can come as only what changed (task.patched), which it expands.
      await this.requests.callVia(transport, 'subscribe', { events: this.subscriptions, ...(this.store ? { patches: true } : {}) });
      await this.catchUp(transport);
    } catch {
      this.sync.abortResync();
      // Retry through the normal reconnect path rather than run half-synced.
      if (this.socketTransport === transport) this.connection.drop('resync failed');
      return;
    }
    this.sync.endResync();
    if (this.socketTransport !== transport || this.closed) return;
    this.poller?.stop();
    this.requests.attach(transport);
    this.setMode('realtime');
  }

  /**
   * The first sync only sets the baseline (a replica needs the whole file;
   * without one, the status's epoch and revision are enough); later ones pull
   * what was missed since the last revision.
   */
  private async catchUp(transport: Transport): Promise<void> {
    if (!this.sync.synced && !this.store) {
      const status = (await this.requests.callVia(transport, 'sync.status')) as MethodResult<'sync.status'>;
      this.sync.setBaseline(status.epoch, status.revision);
      return;
    }
    const result = await this.requests.callVia(transport, 'sync.pull', this.pullParams());
    this.sync.applyPull(result as MethodResult<'sync.pull'>);
  }

  /**
   * An event the protocol refused was skipped: one full pull at a time puts
   * the replica and the baseline right (a failure leaves it to the next reconnect).
   */
  private refusedEvent(error: TaskmasterError): void {
    this.options.onInvalidMessage?.(error);
    if (this.healing || this.closed || this.fatal) return;
    this.healing = true;
    this.requests
      .call('sync.pull', {})
      .then((result) => this.sync.applyPull(result as MethodResult<'sync.pull'>))
      .catch(() => undefined)
      .finally(() => {
        this.healing = false;
      });
  }

  private pullParams(): { since?: number; epoch?: string } {
    return this.sync.synced ? { since: this.sync.eventRevision, epoch: this.sync.epoch } : {};
  }

  private received(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return; // Not JSON: nothing in it can be matched to a request or an event.
    }
    for (const item of Array.isArray(message) ? message : [message]) {
      if (typeof item !== 'object' || item === null) continue;
      const record = item as Record<string, unknown>;
      if ('id' in record && ('result' in record || 'error' in record)) {
        this.requests.handleResponse(record as unknown as JsonRpcResponse);
      } else if (typeof record.method === 'string') {
        // The server is going away: queue new calls instead of sending them into a closing socket.
        if (record.method === 'sync.shutdown' && this.socketTransport) this.requests.pause(this.socketTransport);
        this.sync.receive(record.method, record.params);
      }
    }
  }

  private socketDown(down: SocketDown): void {
    const transport = this.socketTransport;
    this.socketTransport = undefined;
    if (transport) this.requests.detach(transport, 'the connection to the server closed');
    if (this.closed) return;
    if (down.status === 403) {
      this.fail(new TaskmasterError(ErrorCode.AuthenticationFailed, 'the server refused the connection (403): this origin or host is not allowed'));
      return;
    }
    if (down.status === 401) {
      // A stale token would be refused over HTTP too: no fallback, and the next attempt re-reads connection.json.
      const refusal = new TaskmasterError(
        ErrorCode.AuthenticationFailed,
        'the server refused the connection (401): the token is missing or wrong; pass the token from .taskmaster/config/connection.json',
      );
      void this.failIfRefusedForGood(refusal, down.token);
      return;
    }
    if (this.poller?.running) return;
    void this.fallBack();
  }

  /** After a socket loss: poll over HTTP if it answers, else offline. */
  private async fallBack(): Promise<void> {
    if (!this.poller || this.probing) {
      if (!this.poller) this.setMode('offline');
      return;
    }
    this.probing = true;
    const answered = await this.poller.probe();
    this.probing = false;
    if (this.closed || this.fatal || this.socketTransport) return;
    if (!answered) {
      this.setMode('offline');
      return;
    }
    this.requests.attach(this.http);
    this.poller.start();
    this.setMode('polling');
  }

  private pollFailed(err: unknown, token: string | undefined): void {
    this.requests.pause(this.http);
    if (this.currentMode === 'polling') this.setMode('offline');
    if (err instanceof TaskmasterError && err.code === ErrorCode.AuthenticationFailed) void this.failIfRefusedForGood(err, token);
  }

  /**
   * Fails the client for a 401 of `token` when retrying cannot help. A token
   * the user passed cannot change. A token read from connection.json may be
   * stale: one of this client's requests may have read the file before a
   * restarted server wrote its new token. That server answers 503 until it
   * has, so once it refuses, the file holds its token: the refusal is final
   * only when the file, read again now, still holds the refused token (or
   * still none). Counting refusals instead would fail a client whose socket
   * and HTTP poll both used one stale read.
   */
  private async failIfRefusedForGood(refusal: TaskmasterError, token: string | undefined): Promise<void> {
    const final = this.options.root === undefined || this.options.token !== undefined || (await this.resolveEndpoints()).token === token;
    if (final && !this.closed && !this.fatal) this.fail(refusal);
  }

  /** A refusal retrying cannot fix: stop everything and fail what waits. */
  private fail(error: TaskmasterError): void {
    this.fatal = error;
    this.poller?.stop();
    this.httpEnd.abort();
    void this.connection.stop();
    this.requests.close(error);
    for (const waiter of [...this.waiters]) waiter.reject(error);
    this.setMode('offline');
  }

  private setMode(mode: ClientMode): void {
    if (mode !== 'offline') for (const waiter of [...this.waiters]) waiter.resolve();
    if (mode === this.currentMode) return;
    this.currentMode = mode;
    for (const handler of [...this.modeHandlers]) handler(mode);
  }

  private async resolveEndpoints(): Promise<Endpoints> {
    const root = this.options.root;
    const { discover, discoverCa } = this.platform;
    const file = root && discover ? await discover(root).catch(() => undefined) : undefined;
    // A wss:// server's certificate copy is trusted unless `tls` says otherwise.
    const ca = this.options.tls
      ? this.options.tls.ca
      : root && discoverCa && file?.scheme === 'wss'
        ? await discoverCa(root).catch(() => undefined)
        : undefined;
    this.endpoints = {
      wsUrl: this.options.url ?? file?.wsUrl,
      httpUrl: this.options.httpUrl ?? file?.httpUrl,
      token: this.options.token ?? file?.token,
      ca,
    };
    return this.endpoints;
  }

  private httpEndpoint(): HttpEndpoint | undefined {
    return this.httpEndpointOf(this.endpoints);
  }

  private httpEndpointOf(endpoints: Endpoints): HttpEndpoint | undefined {
    return endpoints.httpUrl ? { httpUrl: endpoints.httpUrl, token: endpoints.token, ca: endpoints.ca, caRequest: this.platform.caRequest } : undefined;
  }
}

function closedError(): TaskmasterError {
  return new TaskmasterError(ErrorCode.ConnectionFailed, 'the client was closed');
}
