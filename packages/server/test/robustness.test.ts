import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionFileSchema, METHOD_NAMES } from '@taskmaster/protocol';
import { openStore } from '@taskmaster/store';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { RawClient, cleanup, eventually, makeProject, prng, register, smallFile, startServer } from './helpers.js';

afterEach(cleanup);

function malformedMessages(count: number, seed: number): Array<string | Buffer> {
  const rand = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const scalar = () => pick([null, true, false, 0, -1, 1e308, 'x', '', 'task.*', '💥', 3.5, -0]);
  const value = (depth: number): unknown => {
    if (depth > 3 || rand() < 0.4) return scalar();
    if (rand() < 0.5) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, () => [pick(['id', 'method', 'params', 'jsonrpc', 'type', 'events', 'tag', 'x']), value(depth + 1)]));
  };
  const kinds = [
    () => randomBytesFrom(rand, Math.floor(rand() * 200)),
    () => JSON.stringify(value(0)),
    () => JSON.stringify({ jsonrpc: pick(['2.0', '1.0', 2, undefined]), id: value(3), method: pick([...METHOD_NAMES, 'x', '']), params: value(1) }),
    () => JSON.stringify({ id: value(3), type: pick(['request', 'response', 'event', 'nope']), method: pick([...METHOD_NAMES, '']), params: value(1) }),
    () => JSON.stringify([{ jsonrpc: '2.0', id: 1, method: pick(METHOD_NAMES), params: value(1) }, value(1)]),
    () => `${'['.repeat(2000 + Math.floor(rand() * 20000))}`,
    () => `{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"events":${'['.repeat(3000)}${']'.repeat(3000)}}}`,
    () => JSON.stringify({ jsonrpc: '2.0', id: 'n', method: 'task.update', params: { id: value(2), changes: value(1), base: value(1) } }),
  ];
  return Array.from({ length: count }, () => pick(kinds)());
}

function randomBytesFrom(rand: () => number, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
}

describe('bad input', () => {
  it('survives 10,000 malformed messages and keeps serving another client', async () => {
    const server = await startServer(await makeProject());
    const fuzzer = await RawClient.connect(server.wsUrl);
    const before = process.memoryUsage().rss;
    for (const message of malformedMessages(10_000, 20250101)) fuzzer.ws.send(message);
    fuzzer.send({ jsonrpc: '2.0', id: 'after-the-fuzz', method: 'ping' });
    expect(await fuzzer.waitFor((m) => m.id === 'after-the-fuzz', 30_000)).toMatchObject({ result: { pong: true } });
    const other = await RawClient.connect(server.wsUrl);
    const pong = await other.result<{ pong: boolean }>('ping');
    expect(pong.pong).toBe(true);
    expect((await other.result<{ tasks: unknown[] }>('tasks.list')).tasks.length).toBeGreaterThan(0);
    expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1024 * 1024);
    const codes = new Set(fuzzer.messages.map((m) => (m.error as { code?: number } | undefined)?.code).filter((c) => c !== undefined));
    expect([...codes].every((c) => [-32700, -32600, -32601, -32602, -32603, 1003, 1004, 1006, 1008].includes(c!))).toBe(true);
    expect(codes.has(-32700) && codes.has(-32600) && codes.has(1003)).toBe(true);
  });

  it('closes a socket that sends an oversized frame (1009) and stays up for others', async () => {
    const server = await startServer(await makeProject(), { maxPayloadBytes: 64 * 1024 });
    const big = await RawClient.connect(server.wsUrl);
    const closed = big.closed();
    big.ws.send('x'.repeat(128 * 1024));
    expect(await closed).toBe(1009);
    const other = await RawClient.connect(server.wsUrl);
    expect((await other.result<{ pong: boolean }>('ping')).pong).toBe(true);
  });
});

describe('compression', () => {
  it('deflates large messages on the socket and leaves small ones, such as a write\'s reply, as they are', async () => {
    const server = await startServer(await makeProject(smallFile(300)));
    const ws = new WebSocket(server.wsUrl, { perMessageDeflate: true, headers: { Authorization: `Bearer ${server.token}` } });
    let socket: Socket | undefined;
    ws.once('upgrade', (res) => (socket = res.socket as Socket));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    expect(ws.extensions).toContain('permessage-deflate');
    const client = new RawClient(ws);
    register(async () => ws.terminate());
    const wireBytes = async (method: string, params?: unknown) => {
      const before = socket!.bytesRead;
      const text = JSON.stringify(await client.call(method, params));
      return { text: text.length, wire: socket!.bytesRead - before };
    };
    const big = await wireBytes('tasks.list', { withSubtasks: true });
    expect(big.text).toBeGreaterThan(20_000);
    expect(big.wire).toBeLessThan(big.text / 3);
    const small = await wireBytes('ping');
    expect(small.wire).toBeGreaterThanOrEqual(small.text);
    // A write's reply carries its task, a few KB: sent as it is, not worth a zlib job per write.
    const reply = await wireBytes('task.update', { id: 1, details: 'd'.repeat(4000) });
    expect(reply.text).toBeGreaterThan(4000);
    expect(reply.wire).toBeGreaterThanOrEqual(reply.text);
  });
});

describe('slow consumers', () => {
  it('disconnects a client that stops reading while another keeps receiving', async () => {
    const server = await startServer(await makeProject(), { maxBufferedBytes: 256 * 1024, heartbeatMs: 1000 });
    const slow = await RawClient.connect(`${server.wsUrl}?client=slow`, { perMessageDeflate: false });
    await slow.result('subscribe', { events: ['task.*'] });
    const healthy = await RawClient.connect(server.wsUrl, { perMessageDeflate: false });
    await healthy.result('subscribe', { events: ['task.updated', 'sync.disconnected'] });
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    const writer = await RawClient.connect(server.wsUrl);
    let round = 0;
    let dropped = false;
    const started = Date.now();
    // Until the heartbeat finds it took nothing between two beats (1–3 s once the kernel's buffers are full).
    while (!dropped && Date.now() - started < 20_000) {
      await writer.result('task.update', { id: 1, details: randomBytes(128 * 1024).toString('hex') });
      round++;
      dropped = healthy.events('sync.disconnected').some((e) => e.params.client === 'slow');
    }
    expect(dropped).toBe(true);
    await writer.result('task.update', { id: 2, title: 'After the drop' });
    const latest = await healthy.waitFor((m) => m.method === 'task.updated' && (m.params as { id: string }).id === '2');
    expect(latest.params).toMatchObject({ task: { title: 'After the drop' } });
    expect(healthy.events('task.updated').length).toBe(round + 1);
  }, 30_000);
});

describe('heartbeat', () => {
  it('drops a peer that stops answering pings', async () => {
    const server = await startServer(await makeProject(), { heartbeatMs: 100 });
    const observer = await RawClient.connect(server.wsUrl);
    await observer.result('subscribe', { events: ['sync.disconnected'] });
    const silent = await RawClient.connect(`${server.wsUrl}?client=silent`);
    (silent.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const gone = await observer.waitFor((m) => m.method === 'sync.disconnected');
    expect(gone.params).toMatchObject({ client: 'silent', connections: 1 });
    expect((await observer.result<{ pong: boolean }>('ping')).pong).toBe(true);
  });

  it('keeps its peers through a stall of its own longer than two beats', async () => {
    const server = await startServer(await makeProject(), { heartbeatMs: 100 });
    const peers = await Promise.all([1, 2, 3].map((n) => RawClient.connect(`${server.wsUrl}?client=peer-${n}`)));
    // The process stalls (a long collection, a starved CPU) just after a beat pinged every peer: the first
    // peer answers, then the process stops. The pongs wait in the kernel while the next beats come due.
    const stalled = new Promise<void>((resolve) =>
      peers[0]!.ws.once('ping', () => {
        const until = performance.now() + 350;
        while (performance.now() < until);
        resolve();
      }),
    );
    await stalled;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(peers.map((p) => p.ws.readyState)).toEqual([WebSocket.OPEN, WebSocket.OPEN, WebSocket.OPEN]);
    for (const p of peers) expect((await p.result<{ pong: boolean }>('ping')).pong).toBe(true);
  });
});

describe('lifecycle', () => {
  it('rejects a taken port with 1001 naming the flag to change it', async () => {
    const root = await makeProject();
    const first = await startServer(root, { writeConnectionFile: false });
    const ws = createServer({ root, host: '127.0.0.1', port: first.port, httpPort: 0, writeConnectionFile: false });
    await expect(ws).rejects.toMatchObject({ code: 1001, message: expect.stringMatching(new RegExp(`port ${first.port} is in use.*--port <n>`)) });
    const http = createServer({ root, host: '127.0.0.1', port: 0, httpPort: first.httpPort, writeConnectionFile: false });
    await expect(http).rejects.toMatchObject({ code: 1001, message: expect.stringContaining('--http-port <n>') });
  });

  it('refuses a folder without .taskmaster with a clear error', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'tm-empty-'));
    register(() => rm(empty, { recursive: true, force: true }));
    await expect(createServer({ root: empty, port: 0, httpPort: 0 })).rejects.toThrow(/taskmaster init/);
  });

  it('writes connection.json owner-only, keeps its connections current, and removes it on close', async () => {
    const root = await makeProject();
    const server = await startServer(root, { token: true });
    const file = join(root, '.taskmaster', 'config', 'connection.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const info = ConnectionFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    expect(info).toMatchObject({ pid: process.pid, wsUrl: server.wsUrl, httpUrl: server.httpUrl, token: server.token, epoch: server.epoch, scheme: 'ws' });

    await RawClient.connect(`${server.wsUrl}?client=vscode&token=${server.token}`);
    await eventually(async () => {
      const now = JSON.parse(await readFile(file, 'utf8'));
      expect(now.connections).toEqual([expect.objectContaining({ client: 'vscode', mode: 'websocket' })]);
    });
    await server.close();
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('sends sync.shutdown (1007) to every client on close, then closes with 1001', async () => {
    const server = await startServer(await makeProject());
    const jsonRpc = await RawClient.connect(server.wsUrl);
    await jsonRpc.result('ping');
    const spec = await RawClient.connect(server.wsUrl);
    spec.send({ id: '1', type: 'request', method: 'ping' });
    await spec.waitFor((m) => m.id === '1');
    const codes = Promise.all([jsonRpc.closed(), spec.closed()]);
    await server.close('maintenance');
    expect(await codes).toEqual([1001, 1001]);
    expect(jsonRpc.events('sync.shutdown')[0]!.params).toEqual({ code: 1007, message: 'maintenance' });
    expect(spec.messages.find((m) => m.type === 'event' && m.method === 'sync.shutdown')).toMatchObject({ params: { code: 1007 } });
  });

  it('answers an HTTP call still waiting as it closes, then closes without waiting out the keep-alive', async () => {
    const root = await makeProject();
    const server = await startServer(root);
    // Another writer holds Task Master's lock: the call waits for it while the server starts closing.
    const session = await (await openStore(root)).begin();
    // fetch keeps the connection alive for the 72 s fastify offers, as the client SDK's polling does.
    const reply = fetch(`${server.httpUrl}/api/rpc`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'task.create', params: { task: { title: 'Sent before the close' } } }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const closing = server.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await session.fail(new Error('released by the test'));

    const answer = await reply;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ id: 1, result: { task: { title: 'Sent before the close' } } });
    const outcome = await Promise.race([closing.then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('still open after 10 s'), 10_000))]);
    expect(outcome).toBe('closed');
  });

  it('closes at once though clients sent only part of a request (its headers, or its body), cutting them', async () => {
    const root = await makeProject();
    const server = await startServer(root);
    const auth = `Authorization: Bearer ${server.token}\r\nHost: 127.0.0.1:${server.httpPort}\r\n`;
    const partial = [
      // Headers cut short: Node would hold the connection for its 60 s headers timeout.
      `POST /api/rpc HTTP/1.1\r\n${auth}`,
      // A body cut short: 300 s, Node's request timeout.
      `POST /api/rpc HTTP/1.1\r\n${auth}Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{"jsonrpc": "2.0", "id": 1, "met`,
    ];
    const sockets = await Promise.all(
      partial.map(
        (text) =>
          new Promise<Socket>((resolve, reject) => {
            const socket = connect(server.httpPort, '127.0.0.1', () => socket.write(text, () => resolve(socket)));
            socket.on('error', reject);
          }),
      ),
    );
    register(async () => sockets.forEach((s) => s.destroy()));
    const ended = sockets.map((s) => new Promise((resolve) => s.once('close', resolve)));
    // The server has both requests under way (its parser holds them) before it closes.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const outcome = await Promise.race([server.close().then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('still open after 10 s'), 10_000))]);
    expect(outcome).toBe('closed');
    await Promise.all(ended);
  });

  it('reloads on demand and sends a full snapshot to subscribers when forced', async () => {
    const server = await startServer(await makeProject());
    const client = await RawClient.connect(server.wsUrl);
    await client.result('subscribe', { events: ['task.*'] });
    const res = await client.result<{ snapshotsSent: number; counts: Record<string, number> }>('sync.reload', { force: true });
    expect(res.snapshotsSent).toBe(1);
    expect(res.counts).toEqual({ created: 0, updated: 0, deleted: 0, statusChanged: 0, moved: 0 });
    const snap = await client.waitFor((m) => m.method === 'sync.snapshot');
    expect(snap.params).toMatchObject({ epoch: server.epoch, data: { master: { tasks: expect.any(Array) } } });
    expect((await server.status()).revision).toBe(server.revision);
  });
});
