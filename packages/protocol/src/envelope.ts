import * as z from 'zod';

/**
 * The two wire envelopes the server speaks, answered in kind:
 * the spec's `SyncMessage` and strict JSON-RPC 2.0.
 */

export const MessageIdSchema = z.union([z.string(), z.number()]);
export type MessageId = z.infer<typeof MessageIdSchema>;

export const SyncErrorSchema = z.object({
  code: z.number().int(),
  message: z.string(),
  data: z.unknown().optional(),
});
export type SyncError = z.infer<typeof SyncErrorSchema>;

/** The spec's envelope: `{id, type, method, params?, result?, error?, timestamp}`. */
export const SyncMessageSchema = z.object({
  id: MessageIdSchema,
  type: z.enum(['request', 'response', 'event']),
  method: z.string().min(1),
  params: z.unknown().optional(),
  result: z.unknown().optional(),
  error: SyncErrorSchema.optional(),
  timestamp: z.number().optional(),
});
export type SyncMessage = z.infer<typeof SyncMessageSchema>;

/**
 * By-name or by-position params: an object or an array, checked here without
 * copying it (as z.record would, key by key); the method's own schema
 * validates what it holds.
 */
const JsonRpcParamsSchema = z.custom<Record<string, unknown> | unknown[]>((value) => typeof value === 'object' && value !== null, {
  message: 'params must be an object or an array',
});

/** A JSON-RPC 2.0 request; without `id` it is a notification and gets no reply. */
export const JsonRpcRequestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string(), z.number(), z.null()]).optional(),
  method: z.string(),
  params: JsonRpcParamsSchema.optional(),
});
export type JsonRpcRequest = z.infer<typeof JsonRpcRequestSchema>;

export const JsonRpcSuccessSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string(), z.number(), z.null()]),
  result: z.unknown(),
});
export const JsonRpcFailureSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string(), z.number(), z.null()]),
  error: SyncErrorSchema,
});
export const JsonRpcResponseSchema = z.union([JsonRpcSuccessSchema, JsonRpcFailureSchema]);
export type JsonRpcResponse =
  | { jsonrpc: '2.0'; id: string | number | null; result: unknown }
  | { jsonrpc: '2.0'; id: string | number | null; error: SyncError };

/** A JSON-RPC notification (used for events sent to JSON-RPC clients). */
export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: unknown;
}

/** Which envelope a decoded JSON value uses. Arrays are JSON-RPC batches. */
export type EnvelopeKind = 'jsonrpc' | 'sync' | 'unknown';

/** Tells the envelope of one decoded message without validating it fully. */
export function envelopeKind(value: unknown): EnvelopeKind {
  if (Array.isArray(value)) return 'jsonrpc';
  if (typeof value !== 'object' || value === null) return 'unknown';
  if ('jsonrpc' in value) return 'jsonrpc';
  if ('type' in value) return 'sync';
  return 'unknown';
}

/** A JSON-RPC success response. */
export function jsonRpcResult(id: string | number | null, result: unknown): JsonRpcResponse {
  return { jsonrpc: '2.0', id, result };
}

/** A JSON-RPC error response. */
export function jsonRpcError(id: string | number | null, error: SyncError): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error };
}

/** A JSON-RPC notification. */
export function jsonRpcNotification(method: string, params?: unknown): JsonRpcNotification {
  return params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
}

/** A SyncMessage response to `request`. */
export function syncResponse(
  request: Pick<SyncMessage, 'id' | 'method'>,
  outcome: { result: unknown } | { error: SyncError },
  now = Date.now(),
): SyncMessage {
  return { id: request.id, type: 'response', method: request.method, ...outcome, timestamp: now };
}

/** A SyncMessage event. */
export function syncEvent(id: string, method: string, params: unknown, now = Date.now()): SyncMessage {
  return { id, type: 'event', method, params, timestamp: now };
}
