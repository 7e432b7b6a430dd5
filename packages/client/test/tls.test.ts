import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, type EventPayload } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { closedPort, Harness, nextEvent, until } from './helpers.js';

const h = new Harness();
afterEach(() => h.cleanup());

/** The server package's self-signed test certificate (test/fixtures/tls/README.md there). */
const TLS_DIR = fileURLToPath(new URL('../../server/test/fixtures/tls/', import.meta.url));
const CERT = join(TLS_DIR, 'localhost.crt');
const KEY = join(TLS_DIR, 'localhost.key');
const tls = async () => ({ cert: await readFile(CERT), key: await readFile(KEY) });

describe('TLS (Node: tls.ca)', () => {
  it('works in realtime over wss:// when given the self-signed certificate as ca', async () => {
    const root = await h.project();
    const server = await h.server(root, { tls: await tls() });
    expect(server.wsUrl).toMatch(/^wss:\/\//);
    const client = h.track(createClient({ url: server.wsUrl, token: server.token, tls: { ca: await readFile(CERT) } }));
    await client.ready();
    expect(client.mode).toBe('realtime');
    expect(client.epoch).toBe(server.epoch);

    const other = h.track(createClient({ url: server.wsUrl, token: server.token, tls: { ca: await readFile(CERT, 'utf8') } }));
    const seen = nextEvent<EventPayload<'task.created'>>(client, 'task.created');
    const created = await other.call('task.create', { task: { title: 'Over wss' } });
    expect((await seen).id).toBe(created.id);
    expect((await client.call('task.get', { id: created.id })).task.title).toBe('Over wss');
  });

  it('does not connect without the ca: offline, ready() rejects with 1001, nothing crashes', async () => {
    const root = await h.project();
    const server = await h.server(root, { tls: await tls() });
    const client = h.track(
      createClient({ url: server.wsUrl, httpUrl: server.httpUrl, token: server.token, reconnect: { minDelayMs: 20, maxDelayMs: 100 }, polling: { intervalMs: 100 } }),
    );
    await expect(client.ready(1500)).rejects.toMatchObject({ code: ErrorCode.ConnectionFailed });
    expect(client.mode).toBe('offline');
  });

  it('falls back to polling over https:// with the ca: calls work and events arrive', async () => {
    const root = await h.project();
    const server = await h.server(root, { tls: await tls() });
    const path = new URL(server.wsUrl).pathname;
    const ca = await readFile(CERT);
    const client = h.track(
      createClient({
        url: `wss://127.0.0.1:${await closedPort()}${path}`,
        httpUrl: server.httpUrl,
        token: server.token,
        tls: { ca },
        polling: { intervalMs: 100 },
        reconnect: { minDelayMs: 50, maxDelayMs: 300 },
      }),
    );
    await client.ready();
    expect(client.mode).toBe('polling');
    expect(server.httpUrl).toMatch(/^https:\/\//);

    const created = await client.call('task.create', { task: { title: 'Made while polling over https' } });
    expect(created.task.title).toBe('Made while polling over https');

    const other = h.track(createClient({ url: server.wsUrl, token: server.token, tls: { ca } }));
    const seen = nextEvent<EventPayload<'task.updated'>>(client, 'task.updated', (p) => p.id === created.id);
    await other.call('task.update', { id: created.id, status: 'review' });
    expect((await seen).task.status).toBe('review');
  });

  it('gives up a request over https:// with the ca that never answers, at its timeout', async () => {
    const silent = await h.silentPort(await tls());
    const client = h.track(
      createClient({
        url: `wss://127.0.0.1:${await closedPort()}/taskmaster`,
        httpUrl: `https://127.0.0.1:${silent.port}`,
        tls: { ca: await readFile(CERT) },
        requestTimeoutMs: 400,
        reconnect: { minDelayMs: 20, maxDelayMs: 100 },
      }),
    );
    // Each poll asking whether HTTP answers is dropped at 400 ms, and the next one asks again.
    await until(() => silent.seen() >= 3, 'three polls, each given up at its timeout');
    expect(silent.open()).toBeLessThanOrEqual(1);
    expect(client.mode).toBe('offline');
  });

  it('ends a request over https:// with the ca when closed, though the server never answers', async () => {
    const silent = await h.silentPort(await tls());
    const client = createClient({
      url: `wss://127.0.0.1:${await closedPort()}/taskmaster`,
      httpUrl: `https://127.0.0.1:${silent.port}`,
      tls: { ca: await readFile(CERT) },
      requestTimeoutMs: 60_000,
      reconnect: { minDelayMs: 20, maxDelayMs: 100 },
    });
    await until(() => silent.open() === 1, 'the poll to reach the silent server');
    await client.close();
    // Well before its 60 s timeout.
    await until(() => silent.open() === 0, 'the poll under way to be given up', 3000);
    expect(silent.seen()).toBe(1);
  });

  it('with root, trusts .taskmaster/config/server.crt of a wss:// server', async () => {
    const root = await h.project();
    const server = await h.server(root, { tls: await tls() });
    const connection = JSON.parse(await readFile(join(root, '.taskmaster/config/connection.json'), 'utf8'));
    expect(connection.scheme).toBe('wss');
    await copyFile(CERT, join(root, '.taskmaster/config/server.crt'));

    const client = h.track(createClient({ root }));
    await client.ready();
    expect(client.mode).toBe('realtime');
    expect(client.epoch).toBe(server.epoch);
    expect((await client.call('sync.status')).epoch).toBe(server.epoch);
  });
});
