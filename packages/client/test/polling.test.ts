import type { EventPayload } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type ClientMode } from '../src/index.js';
import { closedPort, Harness, modeReached, nextEvent } from './helpers.js';

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

  it('applies calls made at once while polling in the order they were made', async () => {
    const root = await h.project();
    const server = await h.server(root);
    const path = new URL(server.wsUrl).pathname;
    const client = h.track(createClient({ url: `ws://127.0.0.1:${await closedPort()}${path}`, httpUrl: server.httpUrl, root, polling: { intervalMs: 100 } }));
    await client.ready();
    expect(client.mode).toBe('polling');
    const titles = Array.from({ length: 100 }, (_, i) => `over HTTP ${i}`);
    await Promise.all(titles.map((title) => client.call('task.create', { task: { title } })));
    expect((await client.call('tasks.list')).tasks.map((t) => t.title)).toEqual(titles);
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
