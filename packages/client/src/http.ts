import { ErrorCode, TaskmasterError, type JsonRpcResponse } from '@taskmaster/protocol';
import type { TlsCa } from './options.js';
import type { OutgoingRequest, RequestManager, Transport } from './requests.js';
import { checkedResult } from './server-messages.js';
import type { Platform, RawHttpRequest, RawHttpResponse } from './platform.js';
import type { PullResult } from './sync.js';

/** Where the HTTP fallback is. */
export interface HttpEndpoint {
  httpUrl: string;
  token?: string;
  /** Certificates to trust for an https:// address (Node only: the request goes through `caRequest`). */
  ca?: TlsCa;
  /** The platform's https request trusting `ca`; absent in browsers, where the platform's trust store applies. */
  caRequest?: Platform['caRequest'];
}

type HttpResponse = RawHttpResponse;
type HttpRequestInit = RawHttpRequest;

/** What a changes request answered: new changes, or 304 (nothing new since the ETag). */
export type ChangesResponse = { changed: true; body: PullResult; etag: string | undefined } | { changed: false };

/** `GET /api/sync/changes`; throws 1002 when refused, 1001 when the server does not answer. */
export async function fetchChanges(
  endpoint: HttpEndpoint,
  since: { revision: number; epoch: string | undefined } | undefined,
  etag: string | undefined,
  timeoutMs: number,
): Promise<ChangesResponse> {
  const url = apiUrl(endpoint, 'api/sync/changes');
  if (since) {
    url.searchParams.set('since', String(since.revision));
    if (since.epoch !== undefined) url.searchParams.set('epoch', since.epoch);
  }
  const headers = authHeaders(endpoint);
  if (etag) headers['If-None-Match'] = etag;
  const response = await request(url, { headers }, endpoint, timeoutMs);
  if (response.status === 304) return { changed: false };
  await ensureOk(response, 'GET /api/sync/changes');
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    throw new TaskmasterError(ErrorCode.InvalidMessage, 'GET /api/sync/changes answered something that is not JSON');
  }
  return { changed: true, body: checkedResult('sync.pull', body) as PullResult, etag: response.header('etag') ?? undefined };
}

/**
 * Calls over `POST /api/rpc`: used in polling mode. Each request is its own
 * POST; its response (or failure) settles the request in `requests`. POSTs
 * go one after another: separate HTTP requests may reach the server in any
 * order, and calls queued offline must apply in the order they were made,
 * as they do over the socket.
 */
export function httpTransport(endpoint: () => HttpEndpoint | undefined, requests: RequestManager, timeoutMs: number): Transport {
  let previous: Promise<void> = Promise.resolve();
  return {
    name: 'HTTP',
    send(outgoing: OutgoingRequest): boolean {
      const target = endpoint();
      if (!target) return false;
      previous = previous
        .then(() => postRpc(target, outgoing, timeoutMs))
        .then(
          (response) => {
            if (!requests.handleResponse(response)) {
              requests.fail(outgoing.id, new TaskmasterError(ErrorCode.InvalidMessage, `the server answered ${outgoing.method} with an unrelated response`));
            }
          },
          (err: unknown) => requests.fail(outgoing.id, asTaskmasterError(err, outgoing.method)),
        );
      return true;
    },
  };
}

async function postRpc(endpoint: HttpEndpoint, outgoing: OutgoingRequest, timeoutMs: number): Promise<JsonRpcResponse> {
  const response = await request(
    apiUrl(endpoint, 'api/rpc'),
    { method: 'POST', headers: { ...authHeaders(endpoint), 'Content-Type': 'application/json' }, body: JSON.stringify(outgoing) },
    endpoint,
    timeoutMs,
  );
  // JSON-RPC errors come back as a JSON-RPC body whatever the status; read it when there is one.
  const text = await response.text();
  try {
    const body = JSON.parse(text) as JsonRpcResponse | JsonRpcResponse[];
    const single = Array.isArray(body) ? body[0] : body;
    if (single && typeof single === 'object' && 'jsonrpc' in single) return single;
  } catch {
    // Not JSON: report the status below.
  }
  await ensureOk(response, `POST /api/rpc (${outgoing.method})`);
  throw new TaskmasterError(ErrorCode.InvalidMessage, `POST /api/rpc (${outgoing.method}) answered something that is not JSON-RPC`);
}

/**
 * One HTTP request: through the platform's `caRequest` when a CA must be
 * trusted (fetch cannot be given one without undici's dispatcher), through
 * fetch otherwise.
 */
async function request(url: URL, init: HttpRequestInit, endpoint: HttpEndpoint, timeoutMs: number): Promise<HttpResponse> {
  try {
    const { ca, caRequest } = endpoint;
    if (ca !== undefined && url.protocol === 'https:' && caRequest) return await caRequest(url, init, ca, timeoutMs);
    return fetchResponse(await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }));
  } catch (err) {
    const why = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'it is not reachable';
    throw new TaskmasterError(ErrorCode.ConnectionFailed, `HTTP request to ${url.origin}${url.pathname} failed: ${why}`);
  }
}

function fetchResponse(response: Response): HttpResponse {
  return {
    status: response.status,
    ok: response.ok,
    header: (name) => response.headers.get(name),
    text: () => response.text(),
    discard: async () => {
      await response.body?.cancel();
    },
  };
}

async function ensureOk(response: HttpResponse, what: string): Promise<void> {
  if (response.ok) return;
  await response.discard();
  if (response.status === 401 || response.status === 403) {
    throw new TaskmasterError(
      ErrorCode.AuthenticationFailed,
      response.status === 401
        ? `${what} was refused (401): the token is missing or wrong; pass the token from .taskmaster/config/connection.json`
        : `${what} was refused (403): this origin or host is not allowed by the server`,
    );
  }
  throw new TaskmasterError(ErrorCode.ConnectionFailed, `${what} failed with HTTP ${response.status}`);
}

function apiUrl(endpoint: HttpEndpoint, path: string): URL {
  const base = endpoint.httpUrl.endsWith('/') ? endpoint.httpUrl : `${endpoint.httpUrl}/`;
  return new URL(path, base);
}

function authHeaders(endpoint: HttpEndpoint): Record<string, string> {
  return endpoint.token ? { Authorization: `Bearer ${endpoint.token}` } : {};
}

function asTaskmasterError(err: unknown, method: string): TaskmasterError {
  if (err instanceof TaskmasterError) return err;
  return new TaskmasterError(ErrorCode.ConnectionFailed, `${method} over HTTP failed: ${err instanceof Error ? err.message : String(err)}`);
}
