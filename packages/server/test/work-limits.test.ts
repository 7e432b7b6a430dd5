import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, cleanup, makeProject, smallFile, startServer } from './helpers.js';

afterEach(cleanup);

describe('subscription limits', () => {
  it('refuses more than 64 patterns with -32602 naming the limit, and keeps the earlier subscriptions', async () => {
    const server = await startServer(await makeProject(), { token: false });
    const client = await RawClient.connect(server.wsUrl);
    await client.result('subscribe', { events: ['task.updated'] });

    const many = Array.from({ length: 64 }, (_, i) => `custom.event${String.fromCharCode(97 + (i % 26))}.n${'x'.repeat(Math.floor(i / 26))}`);
    const refused = await client.call('subscribe', { events: many });
    expect(refused.error).toMatchObject({ code: -32602, message: expect.stringContaining('at most 64 event patterns') });
    expect((await client.result<{ subscribed: string[] }>('unsubscribe', { events: [] })).subscribed).toEqual(['task.updated']);

    // 300k patterns in one call: refused the same way, and the connection still gets its events.
    const huge = await client.call('subscribe', { events: Array.from({ length: 300_000 }, (_, i) => `e.n${i.toString(36).replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!)}`) });
    expect(huge.error).toMatchObject({ code: -32602, message: expect.stringContaining('64') });

    const writer = await RawClient.connect(server.wsUrl);
    await writer.result('task.update', { id: 1, title: 'Still subscribed' });
    const event = await client.waitFor((m) => m.method === 'task.updated');
    expect(event.params).toMatchObject({ task: { title: 'Still subscribed' } });
  }, 30_000);

  it('refuses a pattern longer than 128 characters with -32602 naming the limit', async () => {
    const server = await startServer(await makeProject(), { token: false });
    const client = await RawClient.connect(server.wsUrl);
    const long = `task.${'a'.repeat(124)}`;
    expect(long.length).toBe(129);
    const refused = await client.call('subscribe', { events: ['task.*', long] });
    expect(refused.error).toMatchObject({ code: -32602, message: expect.stringContaining('at most 128 characters') });
    expect((await client.result<{ subscribed: string[] }>('subscribe', { events: [long.slice(0, 128)] })).subscribed).toEqual([long.slice(0, 128)]);
  });
});

describe('forced reloads', () => {
  it('coalesces a burst of forced reloads: every call answered, each subscriber gets at most two snapshots', async () => {
    const server = await startServer(await makeProject(smallFile(300)), { token: false });
    const subscribers = await Promise.all(Array.from({ length: 10 }, () => RawClient.connect(server.wsUrl)));
    await Promise.all(subscribers.map((s) => s.result('subscribe', { events: ['task.*'] })));
    const caller = await RawClient.connect(server.wsUrl);

    const replies = await Promise.all(Array.from({ length: 50 }, () => caller.result<{ revision: number; snapshotsSent: number }>('sync.reload', { force: true })));
    expect(replies.every((r) => r.snapshotsSent === 10)).toBe(true);
    await Promise.all(subscribers.map((s) => s.waitFor((m) => m.method === 'sync.snapshot')));
    await new Promise((r) => setTimeout(r, 200));
    for (const s of subscribers) {
      const snapshots = s.events('sync.snapshot');
      expect(snapshots.length).toBeGreaterThanOrEqual(1);
      expect(snapshots.length).toBeLessThanOrEqual(2);
      expect(snapshots.at(-1)!.params).toMatchObject({ epoch: server.epoch, revision: server.revision });
    }
  }, 30_000);

  it('keeps every reading subscriber while a client spams forced reloads of a large file', async () => {
    const server = await startServer(await makeProject(smallFile(2000)), { token: false, heartbeatMs: 300, maxBufferedBytes: 1024 * 1024 });
    const subscribers = await Promise.all(Array.from({ length: 21 }, () => RawClient.connect(server.wsUrl, { perMessageDeflate: true })));
    await Promise.all(subscribers.map((s) => s.result('subscribe', { events: ['task.*'] })));
    const spammer = await RawClient.connect(server.wsUrl);

    // Waves of pipelined forced reloads for two seconds.
    const started = Date.now();
    let calls = 0;
    while (Date.now() - started < 2000) {
      await Promise.all(Array.from({ length: 20 }, () => spammer.result('sync.reload', { force: true })));
      calls += 20;
    }
    const writer = await RawClient.connect(server.wsUrl);
    await writer.result('task.update', { id: 1, title: 'After the spam' });
    await Promise.all(subscribers.map((s) => s.waitFor((m) => m.method === 'task.updated' && (m.params as { task: { title: string } }).task.title === 'After the spam', 20_000).catch(() => undefined)));

    const open = subscribers.filter((s) => s.ws.readyState === s.ws.OPEN).length;
    expect(open).toBe(21);
    for (const s of subscribers) expect(s.events('sync.snapshot').length).toBeLessThan(calls / 2);
  }, 60_000);
});
