import type {
  EventName,
  EventPayload,
  MethodName,
  MethodParams,
  MethodResult,
  TaskmasterError,
} from '@taskmaster/protocol';
import type { Replica } from './replica.js';

/** How the client currently reaches the server. */
export type ClientMode = 'realtime' | 'polling' | 'offline';

/** Options of {@link createClient}; give `url` or `root`. */
export interface ClientOptions {
  /** WebSocket address, e.g. `ws://127.0.0.1:5173/taskmaster`. */
  url?: string;
  /** HTTP fallback address, e.g. `http://127.0.0.1:5174`. */
  httpUrl?: string;
  token?: string;
  /**
   * Project root: url, httpUrl and token are read from its
   * `.taskmaster/config/connection.json` before every connection attempt
   * (a restarted server may have new ports or a new token). Explicit options win.
   */
  root?: string;
  /** Sent as `?client=`; shown in the server's connection list. */
  clientName?: string;
  /** Event patterns to subscribe to; default `['*']`. Re-sent after every reconnect. */
  subscribe?: string[];
  /** How long a sent request may wait for its answer; default 10 000 ms. */
  requestTimeoutMs?: number;
  /** Reconnect backoff (first retry 0–minDelayMs, doubling, capped, full jitter), or false for no retries. */
  reconnect?: { minDelayMs?: number; maxDelayMs?: number } | false;
  /** How many calls may wait while offline; default 1000. Beyond it calls fail with 1001. */
  queueLimit?: number;
  /** HTTP polling when the socket cannot connect but HTTP answers; default every 2000 ms. */
  polling?: { intervalMs?: number } | false;
  /** Keep an in-memory copy of the tasks file current from events. */
  replica?: boolean;
  /**
   * Hears of each event from the server that the protocol's schema refuses
   * (a TaskmasterError, code 1003, naming the event and the field). The client
   * skips such an event and pulls a full copy, so the replica and handlers
   * are put right (handlers get the task events that differ, then
   * `sync.snapshot`). A call whose result its method's schema refuses rejects
   * with the same code instead.
   */
  onInvalidMessage?: (error: TaskmasterError) => void;
  /** A WebSocket constructor to use instead of the global one or `ws`. */
  WebSocket?: unknown;
  /**
   * Node only: TLS settings for wss:// and https:// (ignored in browsers, where
   * the platform's trust store applies). `ca` is the certificate(s) to trust,
   * e.g. a self-signed server's PEM; like Node's `ca` it replaces the default
   * CAs (add `tls.rootCertificates` from `node:tls` to keep them). With `ca`,
   * the socket uses `ws` (given `{ ca }`) and HTTPS requests use `node:https`.
   * When omitted with `root`, and the server is wss:// and the project has
   * `.taskmaster/config/server.crt`, that certificate (plus the default CAs) is trusted.
   */
  tls?: ClientTlsOptions;
}

/** Certificates to trust, as Node's `tls` accepts them (PEM strings or buffers). */
export type TlsCa = string | Buffer | Array<string | Buffer>;

/** See {@link ClientOptions.tls}. */
export interface ClientTlsOptions {
  ca?: TlsCa;
}

/** Params of `call(method, ...)`: optional when the method's schema allows none. */
export type ParamsArg<M extends MethodName> = undefined extends MethodParams<M>
  ? [params?: MethodParams<M>]
  : [params: MethodParams<M>];

/** An event pattern: `*` or a prefix such as `task.*`. */
export type EventPattern = '*' | `${string}.*`;

/** A connection to a TaskMaster Sync server. */
export interface TaskmasterClient {
  readonly mode: ClientMode;
  /** The server epoch (changes when the server restarts); undefined before the first sync. */
  readonly epoch: string | undefined;
  /** The last revision seen in an event or a response. */
  readonly revision: number;
  /** The in-memory copy of the tasks file, when `replica: true`. */
  readonly replica: Replica | undefined;
  /** Resolves when connected in realtime or polling mode; rejects with 1001 after `timeoutMs`, 1002 when refused. */
  ready(timeoutMs?: number): Promise<void>;
  /** Calls a method of the protocol's table; rejects with the server's TaskmasterError. */
  call<M extends MethodName>(method: M, ...params: ParamsArg<M>): Promise<MethodResult<M>>;
  /** Listens to an event; returns the function that stops listening. */
  on<E extends EventName>(event: E, handler: (payload: EventPayload<E>, name: E) => void): () => void;
  /** Listens to every event matching a pattern (`task.*`, `*`). */
  on(pattern: EventPattern, handler: (payload: unknown, name: EventName) => void): () => void;
  /** Listens to mode changes; returns the function that stops listening. */
  onModeChange(handler: (mode: ClientMode) => void): () => void;
  /** Pulls what changed since the last revision now (sync.pull) and emits it. */
  resync(): Promise<void>;
  /** Closes the connection, ends HTTP requests under way, fails pending calls with 1001 and stops every timer. */
  close(): Promise<void>;
}
