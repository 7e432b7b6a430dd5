import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, eventually, makeProject, smallFile } from './helpers.js';
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
});
