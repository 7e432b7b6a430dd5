import { ErrorCode, TaskmasterError, type JsonRpcResponse, type SyncError } from '@taskmaster/protocol';
import { checkedResult } from './server-messages.js';

/** A JSON-RPC request as the client sends it: ids are numbers it allocates. */
export interface OutgoingRequest {
  jsonrpc: '2.0';
  id: number;
  method: string;
  params?: unknown;
}

/**
 * Somewhere a request can be sent: the socket or HTTP. `send` returns false
 * when the transport can no longer take it (a socket already closing), and the
 * request then waits in the queue for the next transport.
 */
export interface Transport {
  readonly name: string;
  send(request: OutgoingRequest): boolean;
}

export interface RequestManagerOptions {
  /** How long a sent request may wait for its response; default 10 s. */
  timeoutMs?: number;
  /** How many calls may wait while no transport is available; default 1000. */
  queueLimit?: number;
}

interface Pending {
  request: OutgoingRequest;
  resolve: (value: unknown) => void;
  reject: (err: TaskmasterError) => void;
  transport?: Transport;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Request ids, in-flight requests and their timeouts, and the offline queue.
 * Calls made without a transport wait in order (bounded) and are sent when
 * one is attached; the timeout starts when a request is actually sent.
 */
export class RequestManager {
  private nextId = 1;
  private transport: Transport | undefined;
  private readonly queue: Pending[] = [];
  private readonly inFlight = new Map<number, Pending>();
  private closedWith: TaskmasterError | undefined;
  readonly timeoutMs: number;
  readonly queueLimit: number;

  constructor(options: RequestManagerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.queueLimit = options.queueLimit ?? 1000;
  }

  /** Calls waiting for a transport. */
  get queued(): number {
    return this.queue.length;
  }

  /** Requests sent and not yet answered. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Whether request `id` was sent and still awaits its response (it has not timed out or failed meanwhile). */
  isAwaiting(id: number): boolean {
    return this.inFlight.has(id);
  }

  /** Sends through the current transport, or queues until one is attached. */
  call(method: string, params?: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.closedWith) return reject(this.closedWith);
      const entry: Pending = { request: this.request(method, params), resolve, reject };
      if (this.transport && this.queue.length === 0 && this.trySend(entry, this.transport)) return;
      this.enqueue(entry);
    });
  }

  /** Sends through `transport` now, bypassing the queue (the client's own resync calls). */
  callVia(transport: Transport, method: string, params?: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.closedWith) return reject(this.closedWith);
      const entry: Pending = { request: this.request(method, params), resolve, reject };
      if (!this.trySend(entry, transport)) {
        reject(new TaskmasterError(ErrorCode.ConnectionFailed, `could not send ${method}: the ${transport.name} connection is closed`));
      }
    });
  }

  /** Makes `transport` the one calls go through and sends the queue in order. */
  attach(transport: Transport): void {
    this.transport = transport;
    while (this.queue.length > 0 && this.transport === transport) {
      const entry = this.queue[0]!;
      if (!this.trySend(entry, transport)) {
        this.transport = undefined;
        return;
      }
      this.queue.shift();
    }
  }

  /**
   * Stops sending through `transport`. Requests it carried that are still
   * unanswered fail with 1001: resending them could apply a change twice.
   */
  detach(transport: Transport, reason: string): void {
    if (this.transport === transport) this.transport = undefined;
    for (const entry of [...this.inFlight.values()]) {
      if (entry.transport !== transport) continue;
      this.settle(entry);
      entry.reject(
        new TaskmasterError(
          ErrorCode.ConnectionFailed,
          `${entry.request.method} (request ${entry.request.id}) got no answer: ${reason}; it may or may not have been applied`,
        ),
      );
    }
  }

  /** Stops queueing new calls on `transport` without failing what it carries. */
  pause(transport: Transport): void {
    if (this.transport === transport) this.transport = undefined;
  }

  /** Settles the request a response answers (a result its method's schema refuses fails it with 1003); false when no request has that id. */
  handleResponse(response: JsonRpcResponse): boolean {
    if (typeof response.id !== 'number') return false;
    const entry = this.inFlight.get(response.id);
    if (!entry) return false;
    this.settle(entry);
    if ('error' in response) {
      entry.reject(TaskmasterError.fromShape(response.error as SyncError));
      return true;
    }
    let result: unknown;
    try {
      result = checkedResult(entry.request.method, response.result);
    } catch (err) {
      entry.reject(err as TaskmasterError);
      return true;
    }
    entry.resolve(result);
    return true;
  }

  /** Fails one in-flight request (a transport that could not deliver it). */
  fail(id: number, error: TaskmasterError): void {
    const entry = this.inFlight.get(id);
    if (!entry) return;
    this.settle(entry);
    entry.reject(error);
  }

  /** Fails everything queued or in flight, and every later call, with `error`. */
  close(error: TaskmasterError): void {
    this.closedWith = error;
    this.transport = undefined;
    for (const entry of this.queue.splice(0)) entry.reject(error);
    for (const entry of [...this.inFlight.values()]) {
      this.settle(entry);
      entry.reject(error);
    }
  }

  private request(method: string, params: unknown): OutgoingRequest {
    const request: OutgoingRequest = { jsonrpc: '2.0', id: this.nextId++, method };
    if (params !== undefined) request.params = params;
    return request;
  }

  private enqueue(entry: Pending): void {
    if (this.queue.length >= this.queueLimit) {
      entry.reject(
        new TaskmasterError(
          ErrorCode.ConnectionFailed,
          `${entry.request.method} was not queued: ${this.queueLimit} calls already wait for the server to come back`,
        ),
      );
      return;
    }
    this.queue.push(entry);
  }

  private trySend(entry: Pending, transport: Transport): boolean {
    entry.transport = transport;
    this.inFlight.set(entry.request.id, entry);
    entry.timer = setTimeout(() => {
      this.settle(entry);
      entry.reject(
        new TaskmasterError(
          ErrorCode.ConnectionFailed,
          `request ${entry.request.method} (${entry.request.id}) timed out after ${this.timeoutMs} ms`,
        ),
      );
    }, this.timeoutMs);
    let sent = false;
    try {
      sent = transport.send(entry.request);
    } catch {
      sent = false;
    }
    if (!sent) {
      this.settle(entry);
      entry.transport = undefined;
    }
    return sent;
  }

  private settle(entry: Pending): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    this.inFlight.delete(entry.request.id);
  }
}
