import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, isTaskmasterError, type TaskmasterError } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { createClient } from '../src/index.js';
import { Harness, nextEvent, until } from './helpers.js';

const h = new Harness();
afterEach(() => h.cleanup());

const task = (id: number, title: unknown) => ({ id, title, status: 'pending', dependencies: [] });

/**
 * A server that answers the client's handshake calls from `file` and lets the
 * test send anything: the real server cannot be made to send a malformed
 * event, and what the client does with one is what is tested here.
 */
async function scriptedServer(file: () => unknown) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const pulls: unknown[] = [];
  let socket: WebSocket | undefined;
  let revision = 1;
  wss.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => {
      const request = JSON.parse(String(data)) as { id: number; method: string; params?: unknown };
      const answer = (result: unknown) => ws.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, result }));
      if (request.method === 'subscribe') answer({ subscribed: ['*'] });
      else if (request.method === 'sync.pull') {
        pulls.push(request.params);
        answer({ epoch: 'e1', revision, full: true, events: [], data: file() });
      }
    });
  });
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/taskmaster`,
    pulls,
    send(method: string, params: unknown, atRevision: number) {
      revision = atRevision;
      socket!.send(JSON.stringify({ jsonrpc: '2.0', method, params }));
    },
    close: () => {
      for (const ws of wss.clients) ws.terminate();
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

describe('what the server sends is checked against the protocol', () => {
  it('skips an event its schema refuses, says why, and pulls a full copy that puts the replica right', async () => {
    let file: unknown = { master: { tasks: [task(1, 'One')] } };
    const server = await scriptedServer(() => file);
    try {
      const refused: TaskmasterError[] = [];
      const client = h.track(createClient({ url: server.url, replica: true, polling: false, reconnect: false, onInvalidMessage: (e) => refused.push(e) }));
      await client.ready();
      await until(() => client.replica?.get(1)?.title === 'One', 'the first pull');
      const seen: string[] = [];
      client.on('*', (payload, name) => seen.push(`${name} ${(payload as { id?: string }).id ?? ''}`.trim()));

      // The server's file now holds task 2; its event has a null title.
      file = { master: { tasks: [task(1, 'One'), task(2, 'Two')] } };
      const snapshot = nextEvent(client, 'sync.snapshot');
      server.send('task.created', { tag: 'master', id: '2', revision: 2, task: task(2, null) }, 2);
      await snapshot;

      expect(refused).toHaveLength(1);
      expect(isTaskmasterError(refused[0], ErrorCode.InvalidMessage)).toBe(true);
      expect(refused[0]!.message).toBe("the server's task.created event does not match the protocol: task.title: expected string, received null");
      // Handlers never got the null title: they got the change the full copy made, then the snapshot.
      expect(seen).toEqual(['task.created 2', 'sync.snapshot']);
      expect(client.replica?.get(2)?.title).toBe('Two');
      // The first pull and the one the refusal asked for: full (no `since`), like the first.
      expect(server.pulls).toEqual([{}, {}]);
      expect(client.revision).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('takes the file from a real server that keeps a tag Task Master left broken, and follows the valid ones', async () => {
    const root = await h.project();
    const broken = { master: { tasks: [task(1, 'Kept')] }, feature: { tasks: [task(1, null)] } };
    await writeFile(join(root, '.taskmaster/tasks/tasks.json'), JSON.stringify(broken, null, 2));
    const server = await h.server(root);
    const refused: TaskmasterError[] = [];
    const client = h.track(createClient({ url: server.wsUrl, token: server.token, replica: true, polling: false, onInvalidMessage: (e) => refused.push(e) }));
    await client.ready();
    await until(() => client.replica?.get(1)?.title === 'Kept', 'the first pull');
    // The broken tag reaches the replica as the server holds it: the file's own bytes, not a refusal.
    expect((client.replica?.data() as Record<string, unknown>).feature).toEqual(broken.feature);

    const writer = h.track(createClient({ url: server.wsUrl, token: server.token, polling: false }));
    const updated = nextEvent(client, 'task.updated');
    await writer.call('task.update', { tag: 'master', id: 1, title: 'Renamed' });
    await updated;
    expect(client.replica?.get(1)?.title).toBe('Renamed');
    await expect(client.call('sync.pull')).resolves.toMatchObject({ full: true, data: { feature: broken.feature } });
    expect(refused).toEqual([]);
  });
});
