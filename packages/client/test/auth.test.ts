import { writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, isTaskmasterError } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CONNECTION_FILE, createClient, discoverServer } from '../src/index.js';
import { Harness, modeReached } from './helpers.js';

const h = new Harness();
afterEach(() => h.cleanup());

describe('discovery and authentication', () => {
  it('finds a running server and its token from connection.json', async () => {
    const root = await h.project();
    // Defaults: the server generates a token and writes it there.
    const server = await h.server(root);
    expect(server.token).toBeDefined();
    const found = await discoverServer(root);
    expect(found).toMatchObject({ wsUrl: server.wsUrl, httpUrl: server.httpUrl, token: server.token, epoch: server.epoch, pid: process.pid });

    const client = h.track(createClient({ root }));
    await client.ready();
    expect(client.mode).toBe('realtime');
    expect((await client.call('tasks.list')).tasks).toEqual([]);
  });

  it('re-reads connection.json on reconnect, finding a restarted server on new ports with a new token', async () => {
    const root = await h.project();
    const first = await h.server(root);
    const client = h.track(createClient({ root, reconnect: { minDelayMs: 20, maxDelayMs: 200 } }));
    await client.ready();
    await h.stop(first);
    await modeReached(client, 'offline');
    const second = await h.server(root);
    expect(second.port).not.toBe(first.port);
    expect(second.token).not.toBe(first.token);
    await modeReached(client, 'realtime');
    expect(client.epoch).toBe(second.epoch);
    expect((await client.call('ping')).pong).toBe(true);
  });

  it('retries a token read from connection.json that the server refused, once the file holds a new one (a restart in progress)', async () => {
    const root = await h.project();
    const server = await h.server(root);
    const file = join(root, CONNECTION_FILE);
    const current = await readFile(file, 'utf8');
    // What a client can read while a restarted server is listening but has not yet written its token.
    await writeFile(file, current.replace(server.token!, 'stale-token-of-the-last-server'));
    const refused: number[] = [];
    // The file is rewritten the moment the refusal arrives, before the client's next attempt.
    const onRefused = () => writeFileSync(file, current);
    const client = h.track(createClient({ root, WebSocket: countingWebSocket(refused, onRefused), reconnect: { minDelayMs: 50, maxDelayMs: 50 } }));
    await client.ready();
    expect(client.mode).toBe('realtime');
    expect(refused).toEqual([1]);
  });

  it('gives 1002 when connection.json still holds the token the server refused, and stops retrying', async () => {
    const root = await h.project();
    const server = await h.server(root);
    const file = join(root, CONNECTION_FILE);
    await writeFile(file, (await readFile(file, 'utf8')).replace(server.token!, 'a-token-nobody-will-accept'));
    const refused: number[] = [];
    const made = { sockets: 0 };
    const client = h.track(createClient({ root, WebSocket: countingWebSocket(refused, undefined, made), reconnect: { minDelayMs: 10, maxDelayMs: 20 } }));
    await expect(client.ready()).rejects.toMatchObject({ code: ErrorCode.AuthenticationFailed });
    expect(refused[0]).toBe(1);
    // Counted by the sockets made: an attempt begun while the file was read again is abandoned
    // when the client gives up, and that abandoned handshake still reports an error afterwards.
    const attempts = made.sockets;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(made.sockets).toBe(attempts);
    expect(client.mode).toBe('offline');
  });

  it('follows a server restarted ten times on the same ports: no client fails for a token it read before the new one was written', async () => {
    // Each restart listens before it writes its token, so a client's socket attempt and HTTP probe can
    // both read the file too early; a client that counted those refusals gave up for good.
    const root = await h.project();
    let server = await h.server(root);
    const clients = Array.from({ length: 6 }, (_, i) =>
      h.track(
        createClient({
          url: server.wsUrl,
          ...(i % 2 ? { httpUrl: server.httpUrl } : {}),
          root,
          reconnect: { minDelayMs: 1, maxDelayMs: 5 },
          polling: { intervalMs: 50 },
        }),
      ),
    );
    await Promise.all(clients.map((c) => c.ready()));
    for (let restart = 1; restart <= 10; restart++) {
      const { port, httpPort } = server;
      await h.stop(server);
      await Promise.all(clients.map((c) => modeReached(c, 'offline')));
      server = await h.server(root, { port, httpPort });
      await Promise.all(clients.map((c) => c.ready()));
      await Promise.all(clients.map((c) => modeReached(c, 'realtime')));
      expect(clients.map((c) => c.epoch), `the epoch after restart ${restart}`).toEqual(clients.map(() => server.epoch));
    }
  });

  it('finds nothing where no server runs', async () => {
    const root = await h.project();
    expect(await discoverServer(root)).toBeUndefined();
  });

  it('authenticates with the token subprotocol when given a WebSocket constructor (as browsers do)', async () => {
    const root = await h.project();
    const server = await h.server(root, { token: true });
    const client = h.track(createClient({ url: server.wsUrl, token: server.token, WebSocket }));
    await client.ready();
    expect((await client.call('ping')).pong).toBe(true);
  });

  it('gives 1002 for a wrong token, goes offline and stops retrying', async () => {
    const root = await h.project();
    const server = await h.server(root, { token: true });
    const client = h.track(createClient({ url: server.wsUrl, httpUrl: server.httpUrl, token: 'wrong-token-wrong-token', reconnect: { minDelayMs: 10, maxDelayMs: 20 } }));
    const failure = await client.ready().catch((err: unknown) => err);
    expect(isTaskmasterError(failure, ErrorCode.AuthenticationFailed)).toBe(true);
    expect(client.mode).toBe('offline');
    await expect(client.call('ping')).rejects.toMatchObject({ code: ErrorCode.AuthenticationFailed });
  });

  it('gives 1002 when no token is sent to a server that needs one', async () => {
    const root = await h.project();
    const server = await h.server(root, { token: true });
    const client = h.track(createClient({ url: server.wsUrl, httpUrl: server.httpUrl, WebSocket, reconnect: { minDelayMs: 10, maxDelayMs: 20 } }));
    await expect(client.ready()).rejects.toMatchObject({ code: ErrorCode.AuthenticationFailed });
  });
});

/**
 * The real `ws` constructor (token as a subprotocol, as in browsers), recording each handshake's
 * outcome in `refused` (1: refused with 401, 0: another error) and counting the sockets made.
 */
function countingWebSocket(refused: number[], onRefused = () => {}, made = { sockets: 0 }): typeof WebSocket {
  return class extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      made.sockets++;
      this.on('error', (err) => {
        const unauthorized = err.message.includes('Unexpected server response: 401');
        refused.push(unauthorized ? 1 : 0);
        if (unauthorized) onRefused();
      });
    }
  } as typeof WebSocket;
}
