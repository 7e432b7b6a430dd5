/**
 * The part of the WHATWG WebSocket the client uses, so it runs with the
 * browser's, Node 22's, or the `ws` package's.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A WebSocket constructor; the third argument is `ws`'s options and ignored by browsers. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: unknown) => WebSocketLike;

export const OPEN = 1;

/**
 * The constructor to use and whether it is `ws` (which can send an Authorization
 * header). `needsWs`: a CA must be trusted, which only `ws` can be told (Node 22's
 * global WebSocket cannot). `loadWs` is the platform's way to get `ws` (Node
 * only; the browser entry has none, so its bundle never names `ws`).
 */
export async function loadWebSocket(
  given: unknown,
  needsWs = false,
  loadWs?: () => Promise<WebSocketConstructor>,
): Promise<{ WebSocket: WebSocketConstructor; canSendHeaders: boolean }> {
  if (given) return { WebSocket: given as WebSocketConstructor, canSendHeaders: false };
  const native = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (native && !(needsWs && loadWs)) return { WebSocket: native as WebSocketConstructor, canSendHeaders: false };
  if (!loadWs) throw new Error('this runtime has no WebSocket');
  return { WebSocket: await loadWs(), canSendHeaders: true };
}

/** Text of a message event: strings as they are, binary frames decoded as UTF-8. */
export function messageText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data as Uint8Array);
  if (Array.isArray(data)) return data.map(messageText).join('');
  return String(data);
}

/** The HTTP status of a refused upgrade, as `ws` reports it ("Unexpected server response: 401"). */
export function refusalStatus(errorEvent: unknown): number | undefined {
  const message = (errorEvent as { message?: unknown } | null)?.message;
  if (typeof message !== 'string') return undefined;
  const match = /Unexpected server response: (\d{3})/.exec(message);
  return match ? Number(match[1]) : undefined;
}
