import type { ConflictStrategy, SyncConfig } from '@taskmaster/protocol';

/** A log sink; messages and data never hold task text or tokens. */
export type ServerLog = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

/** Options of {@link createServer}; anything left out comes from `.taskmaster/config/sync.json`. */
export interface ServerOptions {
  /** Project root containing `.taskmaster` (the CLI creates it; the server does not). */
  root: string;
  host?: string;
  /** WebSocket port; 0 picks a free one. */
  port?: number;
  /** HTTP fallback port; 0 picks a free one. */
  httpPort?: number;
  /** WebSocket path, e.g. `/taskmaster`. */
  path?: string;
  /**
   * The token clients must present. A string is used as is; `true` generates one;
   * `false` requires none (an explicit opt-out, warned about at start). Left out:
   * sync.json's `token`, else none when sync.json says `"auth": "none"`, else a
   * token generated for this start. Clients read it from connection.json.
   */
  token?: string | boolean;
  /** Serve wss:// and https:// with this certificate. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  allowedOrigins?: string[];
  allowedHosts?: string[];
  conflictStrategy?: ConflictStrategy;
  /** Longest an event waits while its connection's socket is still busy with earlier data (ms); to an idle socket events go at once. */
  batchWindowMs?: number;
  maxConnections?: number;
  /** Interval of the ping/pong heartbeat that drops dead peers (ms). */
  heartbeatMs?: number;
  /** Largest incoming WebSocket message (bytes); larger frames close the socket with 1009. */
  maxPayloadBytes?: number;
  /** Queued event bytes beyond which a lagging client's events are replaced by one `sync.snapshot`; also where its requests stop being read while replies wait (bytes). */
  maxBufferedBytes?: number;
  /** Watcher debounce (ms). */
  debounceMs?: number;
  /** Write `.taskmaster/config/connection.json` (default true). */
  writeConnectionFile?: boolean;
  /**
   * A folder of static files (the board's build) to serve at `/` from the HTTP
   * port, with a strict Content-Security-Policy. Absent: no board. The files
   * need no token (the page gets it in its URL fragment); the Host check applies.
   */
  boardDir?: string;
  log?: ServerLog;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  root: string;
  host: string;
  port: number;
  httpPort: number;
  path: string;
  /** Undefined only when opted out (`token: false` or `"auth": "none"`). */
  token: string | undefined;
  tls: { cert: string | Buffer; key: string | Buffer } | undefined;
  allowedOrigins: string[];
  allowedHosts: string[];
  conflictStrategy: ConflictStrategy;
  batchWindowMs: number;
  maxConnections: number;
  heartbeatMs: number;
  maxPayloadBytes: number;
  maxBufferedBytes: number;
  debounceMs: number;
  writeConnectionFile: boolean;
  boardDir: string | undefined;
  log: ServerLog;
}

const MB = 1024 * 1024;

/** Fills in `options` from the project's sync config and the server's defaults. */
export function resolveOptions(options: ServerOptions, config: SyncConfig, generateToken: () => string): ResolvedOptions {
  const token = resolveToken(options.token, config, generateToken);
  return {
    root: options.root,
    host: options.host ?? config.host,
    port: options.port ?? config.port,
    httpPort: options.httpPort ?? config.httpPort,
    path: options.path ?? config.path,
    token,
    tls: options.tls,
    allowedOrigins: options.allowedOrigins ?? config.allowedOrigins,
    allowedHosts: options.allowedHosts ?? config.allowedHosts,
    conflictStrategy: options.conflictStrategy ?? config.conflictStrategy,
    batchWindowMs: options.batchWindowMs ?? config.batchWindowMs,
    maxConnections: options.maxConnections ?? config.maxConnections,
    heartbeatMs: options.heartbeatMs ?? 30_000,
    maxPayloadBytes: options.maxPayloadBytes ?? 4 * MB,
    maxBufferedBytes: options.maxBufferedBytes ?? 4 * MB,
    debounceMs: options.debounceMs ?? config.debounceMs,
    writeConnectionFile: options.writeConnectionFile ?? true,
    boardDir: options.boardDir,
    log: options.log ?? (() => {}),
  };
}

/**
 * The token to require: the options' (string, `true` = generate, `false` = none),
 * else sync.json's, else none if sync.json opts out with `"auth": "none"`, else a
 * generated one. Secure by default: any page on any localhost port can reach a
 * loopback server, so only an explicit opt-out leaves it open.
 */
export function resolveToken(given: string | boolean | undefined, config: Pick<SyncConfig, 'token' | 'auth'>, generateToken: () => string): string | undefined {
  if (typeof given === 'string') return given;
  if (given === true) return generateToken();
  if (given === false) return undefined;
  if (config.token !== undefined) return config.token;
  return config.auth === 'none' ? undefined : generateToken();
}

/** The host to put in URLs: wildcard binds are reached over loopback; IPv6 literals get brackets. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
