import { ErrorCode, type EventPayload } from '@taskmaster/protocol';
import { openStore } from '@taskmaster/store';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient, type ClientMode } from '../src/index.js';
import WebSocket from 'ws';
import { closedPort, Harness, modeReached, nextEvent, until } from './helpers.js';

const readTitles = async (root: string): Promise<string[]> => {
  const { data } = await (await openStore(root)).read();
  return (data as { master?: { tasks: Array<{ title: string }> } }).master?.tasks.map((t) => t.title) ?? [];
};

const h = new Harness();
afterEach(() => h.cleanup());

describe('HTTP polling fallback', () => {
  it('polls when the socket is refused but HTTP answers, and returns to realtime when the socket can connect', async () => {
    const root = await h.project();
    const wsPort = await closedPort();
    const first = await h.server(root);
    const path = new URL(first.wsUrl).pathname;
    const client = h.track(
      createClient({
        url: `ws://127.0.0.1:${wsPort}${path}`,
        httpUrl: first.httpUrl,
        // The token comes from connection.json, so the restarted server's new one is found too.
        root,
        polling: { intervalMs: 100 },
        reconnect: { minDelayMs: 50, maxDelayMs: 300 },
        replica: true,
      }),
    );
    const modes: ClientMode[] = [];
    client.onModeChange((m) => modes.push(m));
    await client.ready();
    expect(client.mode).toBe('polling');
    expect(client.epoch).toBe(first.epoch);

    // Calls go over POST /api/rpc.
    const created = await client.call('task.create', { task: { title: 'Made while polling' } });
    expect(created.task.title).toBe('Made while polling');

    // Events made by someone else arrive through polling.
    const other = h.track(createClient({ url: first.wsUrl, token: first.token }));
    const seen = nextEvent<EventPayload<'task.updated'>>(client, 'task.updated', (p) => p.id === created.id);
    await other.call('task.update', { id: created.id, status: 'review' });
    expect((await seen).task.status).toBe('review');
    expect(client.replica?.get(created.id)?.status).toBe('review');
    await other.close();

    // The socket becomes reachable: a server now listens on the client's ws port.
    const httpPort = first.httpPort;
    await h.stop(first);
    const second = await h.server(root, { port: wsPort, httpPort });
    await modeReached(client, 'realtime');
    expect(client.epoch).toBe(second.epoch);
    expect(modes[0]).toBe('polling');
    expect(modes.at(-1)).toBe('realtime');
    expect((await client.call('task.get', { id: created.id })).task.status).toBe('review');
  });

  it('applies calls made at once while polling in the order they were made, in a few POSTs and durable writes', async () => {
    const root = await h.project();
    let commits = 0;
    const server = await h.server(root, { log: (_level, message) => void (message === 'commit' && commits++) });
    const path = new URL(server.wsUrl).pathname;
    const client = h.track(createClient({ url: `ws://127.0.0.1:${await closedPort()}${path}`, httpUrl: server.httpUrl, root, polling: { intervalMs: 100 } }));
    await client.ready();
    expect(client.mode).toBe('polling');
    const titles = Array.from({ length: 100 }, (_, i) => `over HTTP ${i}`);
    const created = await Promise.all(titles.map((title) => client.call('task.create', { task: { title } })));
    expect(created.map((c) => c.task.title)).toEqual(titles);
    // One JSON-RPC batch, not a POST and an fsync'd write for each call.
    expect(commits).toBeLessThanOrEqual(5);
    // Calls made one after another while a POST is under way go in the next one, still in order.
    const more = titles.map((title) => `${title} again`);
    const later: Array<Promise<unknown>> = [];
    for (const title of more) {
      later.push(client.call('task.create', { task: { title } }));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(later);
    expect((await client.call('tasks.list')).tasks.map((t) => t.title)).toEqual([...titles, ...more]);
  });

  it('never sends a call that timed out while it waited its turn', async () => {
    const root = await h.project();
    const server = await h.server(root);
    const path = new URL(server.wsUrl).pathname;
    const client = h.track(
      createClient({ url: `ws://127.0.0.1:${await closedPort()}${path}`, httpUrl: server.httpUrl, root, polling: { intervalMs: 100 }, requestTimeoutMs: 800 }),
    );
    await client.ready();
    // Another writer holds Task Master's lock: the server waits for it, and so does the first POST.
    const session = await (await openStore(root)).begin();
    const first = client.call('task.create', { task: { title: 'First' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // 200 calls: two POSTs' worth. The second POST can go only once the one before it has given up, 800 ms
    // after it was sent; by then every call in it has timed out, so it must never be sent at all.
    const titles = Array.from({ length: 200 }, (_, i) => `Queued ${i}`);
    const queued = titles.map((title) => client.call('task.create', { task: { title } }));
    for (const call of [first, ...queued]) await expect(call).rejects.toMatchObject({ code: 1001 });
    await session.fail(new Error('released by the test'));
    // The first reached the server, which applies it once it has the lock: "it may or may not have been applied".
    await vi.waitFor(async () => expect(await readTitles(root)).toContain('First'), { timeout: 15_000 });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const applied = await readTitles(root);
    expect(applied.filter((t) => titles.slice(100).includes(t))).toEqual([]);
  });

  // A browser's WebSocket takes no handshake timeout; this one, `ws` without its options, neither.
  class BrowserLikeWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
    }
  }

  it.each([
    ['a browser', BrowserLikeWebSocket],
    ['`ws`', undefined],
  ])('gives up a WebSocket handshake that never ends, with %s, and polls over HTTP', async (_, ctor) => {
    const root = await h.project();
    const server = await h.server(root);
    const silent = await h.silentPort();
    const client = h.track(
      createClient({
        url: `ws://127.0.0.1:${silent.port}/taskmaster`,
        httpUrl: server.httpUrl,
        token: server.token,
        ...(ctor ? { WebSocket: ctor } : {}),
        requestTimeoutMs: 300,
        polling: { intervalMs: 100 },
        reconnect: { minDelayMs: 20, maxDelayMs: 50 },
      }),
    );
    await client.ready(5000);
    expect(client.mode).toBe('polling');
    expect((await client.call('task.create', { task: { title: 'Made past a silent socket' } })).task.title).toBe('Made past a silent socket');
    // Each attempt given up was closed, not left open beside the next.
    await until(() => silent.open() <= 1, 'the attempts given up to be closed');
  });

  it('says a wrong token is wrong when the WebSocket handshake never ends and HTTP refuses it', async () => {
    const server = await h.server(await h.project());
    const silent = await h.silentPort();
    const client = h.track(
      createClient({
        url: `ws://127.0.0.1:${silent.port}/taskmaster`,
        httpUrl: server.httpUrl,
        token: 'a-wrong-token-of-enough-length',
        WebSocket: BrowserLikeWebSocket,
        requestTimeoutMs: 300,
        reconnect: { minDelayMs: 20, maxDelayMs: 50 },
      }),
    );
    await expect(client.ready(5000)).rejects.toMatchObject({ code: ErrorCode.AuthenticationFailed });
  });

  it('stays offline when neither the socket nor HTTP answers, and ready() says so', async () => {
    const client = h.track(
      createClient({
        url: `ws://127.0.0.1:${await closedPort()}/taskmaster`,
        httpUrl: `http://127.0.0.1:${await closedPort()}`,
        reconnect: { minDelayMs: 20, maxDelayMs: 100 },
      }),
    );
    await expect(client.ready(300)).rejects.toMatchObject({ code: 1001, message: expect.stringMatching(/not connected .* after 300 ms/) });
    expect(client.mode).toBe('offline');
  });
});
