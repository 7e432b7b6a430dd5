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

/** How long an HTTP request may take, and what ends it sooner. */
export interface RequestLimits {
  timeoutMs: number;
  /** Aborted when the client closes: a request under way ends then, instead of holding the process until it answers. */
  closed: AbortSignal;
}

/** What a changes request answered: new changes, or 304 (nothing new since the ETag). */
export type ChangesResponse = { changed: true; body: PullResult; etag: string | undefined } | { changed: false };

/** `GET /api/sync/changes`; throws 1002 when refused, 1001 when the server does not answer. */
export async function fetchChanges(
  endpoint: HttpEndpoint,
  since: { revision: number; epoch: string | undefined } | undefined,
  etag: string | undefined,
  limits: RequestLimits,
): Promise<ChangesResponse> {
  const url = apiUrl(endpoint, 'api/sync/changes');
  if (since) {
    url.searchParams.set('since', String(since.revision));
    if (since.epoch !== undefined) url.searchParams.set('epoch', since.epoch);
  }
  const headers = authHeaders(endpoint);
  if (etag) headers['If-None-Match'] = etag;
  const response = await request(url, { headers }, endpoint, limits);
  if (response.status === 304) return { changed: false };
  ensureOk(response, 'GET /api/sync/changes');
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    throw new TaskmasterError(ErrorCode.InvalidMessage, 'GET /api/sync/changes answered something that is not JSON');
  }
  return { changed: true, body: checkedResult('sync.pull', body) as PullResult, etag: response.header('etag') ?? undefined };
}

/** Calls one `POST /api/rpc` carries at most, and about how many bytes of them: well within the server's batch and body limits. */
const BATCH_CALLS = 100;
const BATCH_BYTES = 1024 * 1024;

/**
 * Calls over `POST /api/rpc`: used in polling mode. POSTs go one after
 * another: separate HTTP requests may reach the server in any order, and
 * calls queued offline must apply in the order they were made, as they do
 * over the socket. Calls made in one turn of the event loop, or while a
 * POST is under way, go together as one JSON-RPC batch, which the server
 * applies in order as it does a socket's messages: a burst of calls costs a
 * few round trips and durable writes, not one of each per call. A call that
 * failed while waiting its turn (its timeout, or a switch back to the
 * socket) is never sent.
 */
export function httpTransport(endpoint: () => HttpEndpoint | undefined, requests: RequestManager, limits: RequestLimits): Transport {
  const waiting: Array<{ outgoing: OutgoingRequest; target: HttpEndpoint; text: string }> = [];
  let posting = false;

  /** The calls of the next POST: the first waiting ones still awaited, for the same server, within the batch limits. */
  const nextBatch = () => {
    const batch: typeof waiting = [];
    let bytes = 0;
    while (waiting.length > 0 && batch.length < BATCH_CALLS) {
      const next = waiting[0]!;
      if (!requests.isAwaiting(next.outgoing.id)) {
        waiting.shift();
        continue;
      }
      if (batch.length > 0 && (!sameEndpoint(batch[0]!.target, next.target) || bytes + next.text.length > BATCH_BYTES)) break;
      batch.push(waiting.shift()!);
      bytes += next.text.length;
    }
    return batch;
  };

  const postWaiting = async () => {
    try {
      for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) {
        const calls = batch.map((b) => b.outgoing);
        try {
          const body = batch.length === 1 ? batch[0]!.text : `[${batch.map((b) => b.text).join(',')}]`;
          const responses = await postRpc(batch[0]!.target, body, calls, limits);
          for (const response of responses) requests.handleResponse(response);
          for (const call of calls) {
            requests.fail(call.id, new TaskmasterError(ErrorCode.InvalidMessage, `the server's answer to POST /api/rpc held no response to ${call.method} (request ${call.id})`));
          }
        } catch (err) {
          for (const call of calls) requests.fail(call.id, asTaskmasterError(err, call.method));
        }
      }
    } finally {
      posting = false;
    }
  };

  return {
    name: 'HTTP',
    send(outgoing: OutgoingRequest): boolean {
      const target = endpoint();
      if (!target) return false;
      waiting.push({ outgoing, target, text: JSON.stringify(outgoing) });
      if (!posting) {
        // After the calls made in this same turn, which then go in the first POST with this one.
        posting = true;
        queueMicrotask(() => void postWaiting());
      }
      return true;
    },
  };
}

function sameEndpoint(a: HttpEndpoint, b: HttpEndpoint): boolean {
  return a === b || (a.httpUrl === b.httpUrl && a.token === b.token && a.ca === b.ca);
}

/** One POST of `body` (one call, or a batch of `calls`); resolves with the JSON-RPC responses it holds. */
async function postRpc(endpoint: HttpEndpoint, body: string, calls: readonly OutgoingRequest[], limits: RequestLimits): Promise<JsonRpcResponse[]> {
  const what = `POST /api/rpc (${calls.length === 1 ? calls[0]!.method : `${calls.length} calls`})`;
  const response = await request(
    apiUrl(endpoint, 'api/rpc'),
    { method: 'POST', headers: { ...authHeaders(endpoint), 'Content-Type': 'application/json' }, body },
    endpoint,
    limits,
  );
  // JSON-RPC errors come back as a JSON-RPC body whatever the status; read it when there is one.
  const text = response.body;
  try {
    const parsed = JSON.parse(text) as unknown;
    const responses = (Array.isArray(parsed) ? parsed : [parsed]).filter(
      (r): r is JsonRpcResponse => typeof r === 'object' && r !== null && 'jsonrpc' in r,
    );
    // A batch refused whole (too large, not JSON-RPC) is answered by one response without an id: it is every call's.
    const whole = responses.length === 1 && responses[0]!.id === null && 'error' in responses[0]! ? responses[0] : undefined;
    if (whole) return calls.map((c) => ({ ...whole, id: c.id }));
    if (responses.length > 0) return responses;
  } catch {
    // Not JSON: report the status below.
  }
  ensureOk(response, what);
  throw new TaskmasterError(ErrorCode.InvalidMessage, `${what} answered something that is not JSON-RPC`);
}

/**
 * One HTTP request, its body read whole: through the platform's `caRequest`
 * when a CA must be trusted (fetch cannot be given one without undici's
 * dispatcher), through fetch otherwise. Either ends at the timeout or when
 * the client closes.
 */
async function request(url: URL, init: HttpRequestInit, endpoint: HttpEndpoint, limits: RequestLimits): Promise<HttpResponse> {
  const ending = requestEnding(limits);
  try {
    const { ca, caRequest } = endpoint;
    const ended = { ...init, signal: ending.signal };
    if (ca !== undefined && url.protocol === 'https:' && caRequest) return await caRequest(url, ended, ca);
    return await readWhole(await fetch(url, ended));
  } catch (err) {
    const why = limits.closed.aborted ? 'the client was closed' : ending.timedOut() ? `no answer within ${limits.timeoutMs} ms` : 'it is not reachable';
    throw new TaskmasterError(ErrorCode.ConnectionFailed, `HTTP request to ${url.origin}${url.pathname} failed: ${why}`);
  } finally {
    ending.release();
  }
}

/**
 * A signal for one request, aborted at its timeout or when the client
 * closes; `release()` lets go of both once the request is over. Not
 * `AbortSignal.any([closed, timeout])`: each signal it makes stays tied to
 * the client's long-lived one (nodejs/node#55351: a poll every 2 s would pile
 * them up), and browsers before 2024 do not have it.
 */
function requestEnding(limits: RequestLimits): { signal: AbortSignal; timedOut: () => boolean; release: () => void } {
  const controller = new AbortController();
  let timedOut = false;
  const onClose = () => controller.abort(limits.closed.reason);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`no answer within ${limits.timeoutMs} ms`));
  }, limits.timeoutMs);
  if (limits.closed.aborted) onClose();
  else limits.closed.addEventListener('abort', onClose, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    release: () => {
      clearTimeout(timer);
      limits.closed.removeEventListener('abort', onClose);
    },
  };
}

/** A fetch response with its body read, while the request's signal still ends it. */
async function readWhole(response: Response): Promise<HttpResponse> {
  return {
    status: response.status,
    ok: response.ok,
    header: (name) => response.headers.get(name),
    body: await response.text(),
  };
}

function ensureOk(response: HttpResponse, what: string): void {
  if (response.ok) return;
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
