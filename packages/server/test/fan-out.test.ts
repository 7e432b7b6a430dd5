import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerLog } from '../src/options.js';
import { RawClient, cleanup, makeProject, smallFile, startServer } from './helpers.js';

afterEach(cleanup);

/** The raw TCP socket under a ws client, to stop and restart reading like a slow peer. */
function tcpOf(client: RawClient): Socket {
  return (client.ws as unknown as { _socket: Socket })._socket;
}

/** The updates (by marker) `client` neither received as events nor had covered by a later `sync.snapshot`. */
function lost(client: RawClient, sent: Array<{ marker: string; revision: number }>): number {
  const seen = new Set(client.events('task.updated').map((e) => (e.params.task as { details: string }).details.split(' ')[0]));
  const covered = Math.max(-1, ...client.events('sync.snapshot').map((e) => e.params.revision as number));
  return sent.filter((u) => !seen.has(u.marker) && u.revision > covered).length;
}

/** A task's `details` as `client` last learned it: from the newest snapshot or the events after it. */
function lastDetails(client: RawClient, id: string): unknown {
  let value: unknown;
  for (const m of client.messages) {
    if (m.method === 'sync.snapshot') {
      const tasks = ((m.params as { data: { master: { tasks: Array<{ id: number; details: string }> } } }).data.master.tasks);
      value = tasks.find((t) => String(t.id) === id)?.details;
    } else if (m.method === 'task.updated' && (m.params as { id: string }).id === id) {
      value = (m.params as { task: { details: string } }).task.details;
    }
  }
  return value;
}

describe('fan-out of large events', () => {
  it('delivers every large event to 250 compressed subscribers and drops none of them', async () => {
    const server = await startServer(await makeProject(smallFile(20)), { token: false, maxConnections: 300, heartbeatMs: 1000, maxBufferedBytes: 512 * 1024 });
    const readers = await Promise.all(Array.from({ length: 250 }, () => RawClient.connect(server.wsUrl, { perMessageDeflate: true })));
    await Promise.all(readers.map((r) => r.result('subscribe', { events: ['task.*'] })));
    const writer = await RawClient.connect(server.wsUrl);

    // 120 updates of ~8 KB, 16 in flight at a time: a steady stream of large events.
    const sent: Array<{ marker: string; revision: number }> = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < 120 && writer.ws.readyState === writer.ws.OPEN) {
          const i = next++;
          const marker = `m${i}`;
          const res = await writer.call('task.update', { id: (i % 20) + 1, details: `${marker} ${randomBytes(4000).toString('hex')}` }).catch(() => undefined);
          if (res) sent.push({ marker, revision: (res.result as { revision: number }).revision });
        }
      }),
    );
    await Promise.all(readers.map((r) => r.waitFor(() => lost(r, sent) === 0, 20_000).catch(() => undefined)));

    // The writer reads its replies too: it must not be dropped either.
    const closed = [...readers, writer].filter((r) => r.ws.readyState !== r.ws.OPEN).length;
    const missing = readers.reduce((n, r) => n + lost(r, sent), 0);
    expect({ closed, missing, sent: sent.length }).toEqual({ closed: 0, missing: 0, sent: 120 });
  }, 60_000);

  it('keeps a slow but reading client, tells it to resync instead of queuing without bound, and it ends current', async () => {
    // The server sees a reader's progress only when the kernel makes room in the socket's send buffer, in bursts
    // seconds apart for a reader this slow; a beat every 10 s leaves room for a few of them.
    const behind: number[] = [];
    const log: ServerLog = (_level, message) => {
      if (message.startsWith('a client fell behind')) behind.push(Date.now());
    };
    const server = await startServer(await makeProject(smallFile(32)), { token: false, maxBufferedBytes: 256 * 1024, heartbeatMs: 10_000, log });
    const slow = await RawClient.connect(`${server.wsUrl}?client=slow`, { perMessageDeflate: true });
    await slow.result('subscribe', { events: ['task.*'] });
    const observer = await RawClient.connect(server.wsUrl, { perMessageDeflate: false });
    await observer.result('subscribe', { events: ['sync.disconnected'] });

    // The slow client keeps reading at 512 KB/s: after each chunk it rests as long as that rate asks.
    let throttled = true;
    tcpOf(slow).on('data', (chunk: Buffer) => {
      if (!throttled) return;
      tcpOf(slow).pause();
      setTimeout(() => tcpOf(slow).resume(), (chunk.length / (512 * 1024)) * 1000);
    });

    const writer = await RawClient.connect(server.wsUrl);
    let updates = 0;
    let last = '';
    const started = Date.now();
    let i = 0;
    // Large events until the server found the slow client behind (the kernel's buffers between them hold
    // megabytes first), then 5 s more while it keeps reading slowly, whatever the writer's pace on a busy machine.
    const writing = () => (behind.length === 0 || Date.now() - behind[0]! < 5000) && Date.now() - started < 60_000;
    while (writing()) {
      const details = `${i++} ${randomBytes(64 * 1024).toString('hex')}`;
      await Promise.all(Array.from({ length: 32 }, (_, k) => writer.result('task.update', { id: k + 1, details: `${k} ${details}` })));
      updates += 32;
      last = `3 ${details}`; // task 4's
    }
    expect(observer.events('sync.disconnected')).toEqual([]);
    throttled = false;
    tcpOf(slow).resume();
    await slow.waitFor(() => slow.events('sync.snapshot').length > 0 && lastDetails(slow, '4') === last, 30_000);

    expect(observer.events('sync.disconnected')).toEqual([]);
    expect(slow.ws.readyState).toBe(slow.ws.OPEN);
    // It was told to start afresh from a snapshot instead of being sent every event.
    expect(slow.events('sync.snapshot').length).toBeGreaterThan(0);
    expect(slow.events('task.updated').length).toBeLessThan(updates);
    expect(lastDetails(slow, '4')).toBe(last);
  }, 120_000);

  it('still drops a client that stopped reading altogether, and keeps serving the others', async () => {
    // Found out by the heartbeat: no pong and nothing taken between two beats.
    const server = await startServer(await makeProject(), { token: false, maxBufferedBytes: 256 * 1024, heartbeatMs: 1000 });
    const stuck = await RawClient.connect(`${server.wsUrl}?client=stuck`, { perMessageDeflate: true });
    await stuck.result('subscribe', { events: ['task.*'] });
    const healthy = await RawClient.connect(server.wsUrl, { perMessageDeflate: true });
    await healthy.result('subscribe', { events: ['task.updated', 'sync.disconnected'] });
    tcpOf(stuck).pause();

    const writer = await RawClient.connect(server.wsUrl);
    const started = Date.now();
    let rounds = 0;
    while (!healthy.events('sync.disconnected').some((e) => e.params.client === 'stuck') && Date.now() - started < 20_000) {
      await writer.result('task.update', { id: 1, details: randomBytes(128 * 1024).toString('hex') });
      rounds++;
    }
    expect(healthy.events('sync.disconnected').map((e) => e.params.client)).toEqual(['stuck']);
    await writer.result('task.update', { id: 2, title: 'After the drop' });
    await healthy.waitFor((m) => m.method === 'task.updated' && (m.params as { id: string }).id === '2');
    expect(healthy.events('task.updated').length).toBe(rounds + 1);
  }, 40_000);
});
