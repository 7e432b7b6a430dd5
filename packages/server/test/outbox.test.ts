import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from '../src/ws/outbox.js';
import { OutgoingEvent } from '../src/ws/outgoing-event.js';
import { RawClient, cleanup, makeProject, startServer } from './helpers.js';

afterEach(cleanup);

const event = (n: number) => new OutgoingEvent('task.updated', { n });
const names = (sent: OutgoingEvent[][]) => sent.map((batch) => batch.map((e) => (e.payload as { n: number }).n));

describe('event batching adapts to the socket', () => {
  it('sends at once to an idle socket, holds events while it is busy and sends them as one message when it drains', () => {
    const sent: OutgoingEvent[][] = [];
    let busy = false;
    const outbox = new Outbox(100, (events) => sent.push(events), () => busy);
    outbox.enqueue([event(1)]);
    expect(names(sent)).toEqual([[1]]);
    busy = true;
    outbox.enqueue([event(2)]);
    outbox.enqueue([event(3), event(4)]);
    expect(names(sent)).toEqual([[1]]);
    busy = false;
    outbox.flush(); // what the connection does when its send queue drains
    expect(names(sent)).toEqual([[1], [2, 3, 4]]);
    outbox.enqueue([event(5)]);
    expect(names(sent)).toEqual([[1], [2, 3, 4], [5]]);
    outbox.dispose();
  });

  it('sends held events when the window ends even if the socket stays busy', async () => {
    const sent: OutgoingEvent[][] = [];
    const outbox = new Outbox(20, (events) => sent.push(events), () => true);
    outbox.enqueue([event(1)]);
    outbox.enqueue([event(2)]);
    expect(sent).toEqual([]);
    await new Promise((r) => setTimeout(r, 60));
    expect(names(sent)).toEqual([[1, 2]]);
    outbox.dispose();
  });

  it('does not make back-to-back updates wait for the batch window (100 ms here)', async () => {
    const server = await startServer(await makeProject(), { batchWindowMs: 100 });
    const watcher = await RawClient.connect(server.wsUrl);
    await watcher.result('subscribe', { events: ['task.updated'] });
    const writer = await RawClient.connect(server.wsUrl);
    // Each update follows the previous one at once. The server announces an update as soon as it is
    // validated and replies once it is durable (an fsync later), so another client's event should
    // arrive before the writer's reply; a window used as a delay would hold it past the reply.
    let eventFirst = 0;
    for (let i = 0; i < 30; i++) {
      let eventAt = Infinity;
      const seen = watcher
        .waitFor((m) => m.method === 'task.updated' && (m.params as { task: { details: string } }).task.details === `b2b ${i}`, 10_000)
        .then(() => (eventAt = performance.now()));
      await writer.call('task.update', { id: (i % 5) + 1, details: `b2b ${i}` });
      const replyAt = performance.now();
      await seen;
      if (eventAt <= replyAt) eventFirst++;
    }
    expect(eventFirst).toBeGreaterThanOrEqual(20);
  });
});
