import { fileURLToPath } from 'node:url';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initProject } from '@taskmaster/store';
import WebSocket from 'ws';
import { createServer, type ServerOptions, type SyncServer } from '../src/index.js';

export const FIXTURE = fileURLToPath(new URL('../../../../shared/fixtures/taskmaster-repo-tasks.json', import.meta.url));

const cleanups: Array<() => Promise<unknown>> = [];

/** Runs every registered cleanup (servers, sockets, temp dirs), newest first. */
export async function cleanup(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
}

/** A temp project made with initProject, holding `tasks` (a small file by default) or the fixture. */
export async function makeProject(tasks: unknown | 'fixture' = smallFile()): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'tm-server-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  await initProject(root);
  const file = join(root, '.taskmaster', 'tasks', 'tasks.json');
  // The bytes, not the file: a copy would keep the fixture's read-only mode, which the store refuses to replace.
  if (tasks === 'fixture') await writeFile(file, await readFile(FIXTURE));
  else await writeFile(file, `${JSON.stringify(tasks, null, 2)}\n`);
  return root;
}

/** mulberry32: a small seeded PRNG, so a failing randomised run can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A tagged file with `n` tasks in `master`. */
export function smallFile(n = 5): unknown {
  return {
    master: {
      tasks: Array.from({ length: n }, (_, i) => ({
        id: i + 1,
        title: `Task ${i + 1}`,
        description: `Description ${i + 1}`,
        details: '',
        testStrategy: '',
        status: 'pending',
        priority: 'medium',
        dependencies: [],
        subtasks: i === 0 ? [{ id: 1, title: 'Sub 1.1', description: '', status: 'pending', dependencies: [] }] : [],
      })),
      metadata: { created: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:00:00.000Z', description: 'Tasks for master context' },
    },
  };
}

/**
 * The token of each server started by {@link startServer}, by port. A test client
 * presents it as a user's client presents the token of connection.json, so tests
 * run against the default (a token required) instead of switching it off.
 */
const tokensByPort = new Map<number, string>();

/** A server for `root` on 127.0.0.1 with free ports (a token generated, as by default), closed at cleanup. */
export async function startServer(root: string, options: Partial<ServerOptions> = {}): Promise<SyncServer> {
  const server = await createServer({ root, host: '127.0.0.1', port: 0, httpPort: 0, batchWindowMs: 10, ...options });
  cleanups.push(() => server.close());
  if (server.token !== undefined) {
    tokensByPort.set(server.port, server.token).set(server.httpPort, server.token);
    cleanups.push(async () => {
      tokensByPort.delete(server.port);
      tokensByPort.delete(server.httpPort);
    });
  }
  return server;
}

/**
 * Which token a test client sends: `token` when given (`false`: none), else none
 * when the request already carries credentials of its own (a header, `?token=` or
 * the token subprotocol, which tests of the check itself set), else the token of
 * the helper-started server listening on the URL's port.
 */
function tokenToSend(url: string, token: string | false | undefined, carried: boolean): string | undefined {
  if (token !== undefined) return token === false ? undefined : token;
  if (carried || /[?&]token=/.test(url)) return undefined;
  return tokensByPort.get(Number(new URL(url).port));
}

/** Options of a test client: `token` overrides the server's (`false` sends none). */
export interface TestAuth {
  token?: string | false;
}

/** Anything the server sent, one entry per JSON value (batches are flattened). */
export type Received = Record<string, unknown>;

/** A raw WebSocket client that records every message it receives. */
export class RawClient {
  readonly messages: Received[] = [];
  /** Number of WebSocket messages (a batch counts once). */
  frames = 0;
  readonly rawFrames: string[] = [];
  private waiters: Array<() => void> = [];
  private nextId = 1;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.frames++;
      this.rawFrames.push(text);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = { unparseable: text };
      }
      for (const m of Array.isArray(value) ? value : [value]) this.messages.push(m as Received);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Connects to `url` with the server's token (see {@link TestAuth}), failing with the HTTP status when the upgrade is refused. */
  static async connect(url: string, options: WebSocket.ClientOptions & { protocols?: string[] } & TestAuth = {}): Promise<RawClient> {
    const { token: given, protocols = [], ...wsOptions } = options;
    const headers = { ...(wsOptions.headers as Record<string, string> | undefined) };
    const carried = 'Authorization' in headers || 'authorization' in headers || protocols.some((p) => p.startsWith('taskmaster.token.'));
    const token = tokenToSend(url, given, carried);
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    const ws = new WebSocket(url, protocols, { ...wsOptions, headers });
    const client = new RawClient(ws);
    cleanups.push(async () => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body: safeJson(body) })));
      });
      ws.once('error', reject);
    });
    return client;
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** Sends a JSON-RPC request and resolves with its response object. */
  async call(method: string, params?: unknown): Promise<Received> {
    const id = this.nextId++;
    this.send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    return this.waitFor((m) => m.id === id && ('result' in m || 'error' in m));
  }

  /** Like {@link call} but returns the result, throwing on an error response. */
  async result<T = Record<string, unknown>>(method: string, params?: unknown): Promise<T> {
    const res = await this.call(method, params);
    if ('error' in res) throw Object.assign(new Error(JSON.stringify(res.error)), { error: res.error });
    return res.result as T;
  }

  /** The first message (already received or coming) matching `pred`. */
  async waitFor(pred: (m: Received) => boolean, timeoutMs = 10_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(pred);
      if (found) return found;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error('socket closed while waiting');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a message');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Event notifications received so far (JSON-RPC or SyncMessage), as `{event, params}`. */
  events(name?: string): Array<{ event: string; params: Record<string, unknown> }> {
    return this.messages
      .filter((m) => (m.jsonrpc === '2.0' && 'method' in m && !('id' in m)) || m.type === 'event')
      .map((m) => ({ event: m.method as string, params: m.params as Record<string, unknown> }))
      .filter((e) => name === undefined || e.event === name);
  }

  /** Resolves once the socket is closed, with its close code. */
  closed(): Promise<number> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve(-1);
    return new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
  }

  close(): void {
    this.ws.close();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Waits until `check` passes (for effects on disk), or throws its last error. */
export async function eventually(check: () => unknown | Promise<unknown>, timeoutMs = 10_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}

export function register(fn: () => Promise<unknown>): void {
  cleanups.push(fn);
}

/**
 * A plain HTTP request (node:http, so Host and Origin can be set freely); bodies are not decompressed.
 * Carries the server's token like {@link RawClient.connect}.
 */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } & TestAuth = {},
): Promise<{ status: number; headers: import('node:http').IncomingHttpHeaders; raw: Buffer; json: () => any }> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const headers: Record<string, string> = { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers };
    const carried = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
    const token = tokenToSend(url, options.token, carried);
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    const req = httpRequestRaw(url, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, json: () => JSON.parse(raw.toString()) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
import { request as httpRequestRaw } from 'node:http';
