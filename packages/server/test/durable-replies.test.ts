import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, eventually, makeProject, RawClient, smallFile, startServer } from './helpers.js';
import { serve } from './team/team-harness.js';

afterEach(cleanup);

type TasksFile = { master: { tasks: Array<{ id: number | string; title: string }> } };

describe('a reply means the change is on disk', () => {
  it('keeps every create it acknowledged when SIGKILLed while creates stream in from four clients, and restarts on the file', async () => {
    const root = await makeProject(smallFile(300));
    const server = await serve({ name: 'solo', root });
    const clients = await Promise.all([0, 1, 2, 3].map(() => server.client()));
    const acknowledged: string[] = [];
    let killed = false;
    // Each client keeps 8 creates in flight until the server dies: writes are staged, placed and synced while others are announced.
    const streams = clients.map(async (client, c) => {
      let next = 0;
      const lane = async () => {
        while (!killed) {
          const title = `c${c}-${next++}`;
          const reply = await client.call('task.create', { task: { title } }).catch(() => undefined);
          if (reply?.result !== undefined) acknowledged.push(title);
          else return;
        }
      };
      await Promise.all(Array.from({ length: 8 }, lane));
    });
    await eventually(() => expect(acknowledged.length).toBeGreaterThan(150), 30_000);
    killed = true;
    await server.kill();
    await Promise.all(streams);

    const file = JSON.parse(await readFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), 'utf8')) as TasksFile;
    const titles = new Set(file.master.tasks.map((t) => t.title));
    expect(acknowledged.filter((title) => !titles.has(title))).toEqual([]);
    expect(new Set(file.master.tasks.map((t) => String(t.id))).size).toBe(file.master.tasks.length);

    const again = await serve({ name: 'solo', root });
    const listed = await (await again.client()).result<{ tasks: Array<{ title: string }> }>('tasks.list');
    expect(listed.tasks.map((t) => t.title)).toEqual(file.master.tasks.map((t) => t.title));
  });

  it('on a 10k-task file, with four clients keeping 8 updates in flight each, writes and tells every acknowledged update', async () => {
    // Drafts of a 10k-task tag cost a millisecond or more, so announcements under this load are spaced and grouped.
    const root = await makeProject(smallFile(10_000));
    const server = await startServer(root);
    const watcher = await RawClient.connect(server.wsUrl);
    await watcher.result('subscribe', { events: ['task.updated'] });
    const writers = await Promise.all([0, 1, 2, 3].map(() => RawClient.connect(server.wsUrl)));
    const acknowledged = new Map<string, string>();
    await Promise.all(
      writers.map((writer, w) =>
        Promise.all(
          Array.from({ length: 8 }, async (_, lane) => {
            for (let k = 0; k < 6; k++) {
              // Staggered, so ops keep arriving while a write is on its way to disk.
              await new Promise((resolve) => setTimeout(resolve, (w * 8 + lane + k) % 5));
              const id = String(1 + w * 2_000 + lane * 100 + k);
              const title = `writer ${w} lane ${lane} update ${k}`;
              await writer.result('task.update', { id, title });
              acknowledged.set(id, title);
            }
          }),
        ),
      ),
    );
    expect(acknowledged.size).toBe(4 * 8 * 6);
    const file = JSON.parse(await readFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), 'utf8')) as TasksFile;
    const titleOf = new Map(file.master.tasks.map((t) => [String(t.id), t.title]));
    for (const [id, title] of acknowledged) expect(titleOf.get(id)).toBe(title);
    await eventually(() => expect(watcher.events('task.updated').length).toBe(acknowledged.size), 10_000);
    const told = new Map(watcher.events('task.updated').map((e) => [String(e.params.id), (e.params.task as { title: string }).title]));
    expect(told).toEqual(acknowledged);
    const revisions = watcher.events('task.updated').map((e) => e.params.revision as number);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
  });
});
