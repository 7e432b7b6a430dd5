import type { ConnectionFile } from '@taskmaster/protocol';
import type { TlsCa } from './options.js';
import type { WebSocketConstructor } from './socket.js';

/** A response read whole, as {@link Platform.caRequest} and fetch through the client return it. */
export interface RawHttpResponse {
  readonly status: number;
  readonly ok: boolean;
  header(name: string): string | null;
  /** The body as text, read before the response was handed over. */
  readonly body: string;
}

/** An HTTP request as the client makes it. */
export interface RawHttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Ends the request under way when aborted: its timeout, or the client closing. */
  signal?: AbortSignal;
}

/**
 * What the client needs from its runtime beyond the web platform (fetch,
 * WebSocket). The Node entry gives all of it; the browser entry gives none,
 * so its bundle never names `ws` or a `node:` module.
 */
export interface Platform {
  /** `ws`'s constructor, for runtimes without a global WebSocket (Node 20) or when a CA must be trusted. */
  loadWs?(): Promise<WebSocketConstructor>;
  /** Reads a project's connection.json (see `discoverServer`). */
  discover?(root: string): Promise<ConnectionFile | undefined>;
  /** The CAs to trust for a project's wss:// server. */
  discoverCa?(root: string): Promise<string[] | undefined>;
  /** An https request trusting `ca` (fetch cannot be given one). */
  caRequest?(url: URL, init: RawHttpRequest, ca: TlsCa): Promise<RawHttpResponse>;
}
