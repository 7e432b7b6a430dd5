import {
  ErrorCode,
  JsonRpcRequestSchema,
  SyncMessageSchema,
  envelopeKind,
  exceedsJsonDepth,
  isMethodName,
  isTaskmasterError,
  jsonRpcError,
  jsonRpcResult,
  methods,
  syncResponse,
  tooDeepMessage,
  type Handlers,
  type JsonRpcResponse,
  type SyncError,
  type SyncMessage,
} from '@taskmaster/protocol';
import type { ServerLog } from '../options.js';
import type { Peer } from '../ws/peer.js';
import { invalidParams, toSyncError } from './errors.js';

type Outcome = { result: unknown } | { error: SyncError };
type Reply = JsonRpcResponse | JsonRpcResponse[] | SyncMessage;

/** Largest JSON-RPC batch accepted; larger ones are refused whole. */
const MAX_BATCH = 1000;

/**
 * Turns incoming messages into replies, in the envelope they came in:
 * strict JSON-RPC 2.0 (batches, notifications) or the spec's SyncMessage.
 * Shared by the WebSocket and `POST /api/rpc`.
 */
export class Dispatcher<Ctx extends { peer: Peer }> {
  constructor(
    private readonly handlers: Handlers<Ctx>,
    private readonly log: ServerLog,
  ) {}

  /** Handles one text message; returns the reply text, or undefined when none is due. */
  async handleText(text: string, ctx: Ctx): Promise<string | undefined> {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      const error = { code: ErrorCode.ParseError, message: 'parse error: the message is not valid JSON' };
      if (ctx.peer.envelope === 'sync') {
        return JSON.stringify(syncResponse({ id: '', method: '' }, { error: { ...error, code: ErrorCode.InvalidMessage } }));
      }
      return JSON.stringify(jsonRpcError(null, error));
    }
    const reply = await this.handleValue(value, ctx);
    return reply === undefined ? undefined : JSON.stringify(reply);
  }

  /** Handles one decoded message. */
  async handleValue(value: unknown, ctx: Ctx): Promise<Reply | undefined> {
    const kind = envelopeKind(value);
    if (kind === 'sync' || (kind === 'unknown' && ctx.peer.envelope === 'sync')) return this.handleSync(value, ctx);
    if (Array.isArray(value)) return this.handleBatch(value, ctx);
    return this.handleJsonRpc(value, ctx);
  }

  private async handleBatch(batch: unknown[], ctx: Ctx): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
    if (batch.length === 0) return jsonRpcError(null, { code: ErrorCode.InvalidRequest, message: 'invalid request: empty batch' });
    if (batch.length > MAX_BATCH) {
      return jsonRpcError(null, { code: ErrorCode.InvalidRequest, message: `invalid request: a batch holds at most ${MAX_BATCH} calls` });
    }
    const replies = await Promise.all(batch.map((item) => this.handleJsonRpc(item, ctx)));
    const out = replies.filter((r): r is JsonRpcResponse => r !== undefined);
    return out.length > 0 ? out : undefined;
  }

  private async handleJsonRpc(value: unknown, ctx: Ctx): Promise<JsonRpcResponse | undefined> {
    const parsed = JsonRpcRequestSchema.safeParse(value);
    if (!parsed.success) {
      return jsonRpcError(echoableId(value), {
        code: ErrorCode.InvalidRequest,
        message: 'invalid request: expected {"jsonrpc": "2.0", "method": string, "params"?: object | array, "id"?: string | number | null}',
      });
    }
    const req = parsed.data;
    ctx.peer.envelope ??= 'jsonrpc';
    const notification = !('id' in req) || req.id === undefined;
    const outcome = await this.call(req.method, positional(req.params), ctx, ErrorCode.JsonRpcMethodNotFound);
    if (notification) return undefined;
    const id = req.id ?? null;
    return 'error' in outcome ? jsonRpcError(id, outcome.error) : jsonRpcResult(id, outcome.result);
  }

  private async handleSync(value: unknown, ctx: Ctx): Promise<SyncMessage> {
    const parsed = SyncMessageSchema.safeParse(value);
    if (!parsed.success || parsed.data.type !== 'request') {
      const v = value as { id?: unknown; method?: unknown } | null;
      const id = typeof v?.id === 'string' || typeof v?.id === 'number' ? v.id : '';
      const method = typeof v?.method === 'string' ? v.method : '';
      const message = parsed.success
        ? `invalid message format: clients send type "request", not "${parsed.data.type}"`
        : 'invalid message format: expected {id, type: "request", method, params?, timestamp?}';
      return syncResponse({ id, method }, { error: { code: ErrorCode.InvalidMessage, message } });
    }
    const msg = parsed.data;
    ctx.peer.envelope ??= 'sync';
    return syncResponse(msg, await this.call(msg.method, msg.params, ctx, ErrorCode.MethodNotFound));
  }

  /** Validates params against the method table and runs the handler. */
  async call(method: string, params: unknown, ctx: Ctx, notFound: ErrorCode = ErrorCode.JsonRpcMethodNotFound): Promise<Outcome> {
    if (!isMethodName(method)) {
      return { error: { code: notFound, message: `method not found: "${truncate(method)}"; see the protocol's method table` } };
    }
    // Before validation and handlers, which (like JSON.stringify) walk values recursively.
    if (exceedsJsonDepth(params)) {
      return { error: { code: ErrorCode.InvalidParams, message: `invalid params for "${method}": ${tooDeepMessage('the message')}` } };
    }
    const parsed = methods[method].params.safeParse(params);
    if (!parsed.success) return { error: invalidParams(method, parsed.error.issues).toJSON() };
    try {
      const handler = this.handlers[method] as (p: unknown, c: Ctx) => unknown;
      return { result: await handler(parsed.data, ctx) };
    } catch (err) {
      if (!isTaskmasterError(err)) this.log('error', 'method failed', { method, error: describe(err) });
      return { error: toSyncError(err) };
    }
  }
}

/** By-position params are accepted when they hold one object (or nothing). */
function positional(params: unknown): unknown {
  if (!Array.isArray(params)) return params;
  if (params.length === 0) return undefined;
  if (params.length === 1) return params[0];
  return params; // fails validation with a clear message
}

function echoableId(value: unknown): string | number | null {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

function truncate(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : 'non-error thrown';
}

