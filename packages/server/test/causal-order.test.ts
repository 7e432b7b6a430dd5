import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, cleanup, makeProject, startServer } from './helpers.js';

afterEach(cleanup);

describe('causal order', () => {
  it('delivers the events a request caused before its reply, in 100 of 100 requests, with batching on', async () => {
    // The default batch window: events sent within it of the last send wait for it, replies never did.
    const server = await startServer(await makeProject(), { batchWindowMs: 25 });
    const client = await RawClient.connect(server.wsUrl);
    await client.result('subscribe', { events: ['task.*'] });
    for (let i = 0; i < 100; i++) {
      const id = (i % 5) + 1;
      const before = client.messages.length;
      const reply = await client.call('task.update', { id, details: `round ${i}` });
      const revision = (reply.result as { revision: number }).revision;
      const replyAt = client.messages.indexOf(reply);
      const eventAt = client.messages.findIndex(
        (m, at) => at >= before && m.method === 'task.updated' && (m.params as { revision: number; id: string }).id === String(id) && (m.params as { revision: number }).revision <= revision,
      );
      expect(eventAt, `round ${i}: event before reply`).toBeGreaterThanOrEqual(0);
      expect(eventAt).toBeLessThan(replyAt);
    }
  });

  it('commits one connection\'s pipelined requests in the order it sent them, also while the current tag is being read', async () => {
    const root = await makeProject();
    const server = await startServer(root);
    const client = await RawClient.connect(server.wsUrl);
    const titles = Array.from({ length: 40 }, (_, i) => `pipelined ${i}`);
    const stateFile = join(root, '.taskmaster', 'state.json');
    for (let round = 0; round < 3; round++) {
      // state.json rewritten (as Task Master's use-tag does, here to the same tag): the round's first requests wait for it to be read.
      await writeFile(stateFile, JSON.stringify({ currentTag: 'master', lastSwitched: new Date().toISOString() }, null, 2));
      const replies = titles.map((title) => client.call('task.create', { task: { title: `${title} / ${round}` } }));
      await Promise.all(replies);
    }
    const { tasks } = (await client.call('tasks.list')).result as { tasks: Array<{ title: string }> };
    const expected = [0, 1, 2].flatMap((round) => titles.map((title) => `${title} / ${round}`));
    expect(tasks.map((t) => t.title).filter((t) => t.startsWith('pipelined'))).toEqual(expected);
  });
});
