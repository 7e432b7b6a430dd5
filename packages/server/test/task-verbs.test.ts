import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, cleanup, httpRequest, makeProject, startServer } from './helpers.js';

afterEach(cleanup);

/** Four tasks: 2 depends on 1, 3 on 2; 1 has two subtasks. */
function verbsFile(): unknown {
  const task = (id: number, dependencies: number[], subtasks: unknown[] = []) => ({
    id,
    title: `Task ${id}`,
    description: `Description ${id}`,
    details: '',
    testStrategy: '',
    status: 'pending',
    priority: 'medium',
    dependencies,
    subtasks,
  });
  return {
    master: {
      tasks: [
        task(1, [], [
          { id: 1, title: 'Sub 1.1', description: '', details: '', status: 'pending', dependencies: [] },
          { id: 2, title: 'Sub 1.2', description: '', details: '', status: 'pending', dependencies: [1] },
        ]),
        task(2, [1]),
        task(3, [2]),
        task(4, []),
      ],
      metadata: { created: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:00:00.000Z', description: 'Tasks for master context' },
    },
  };
}

const ids = (tasks: Array<{ id: unknown }>) => tasks.map((t) => String(t.id));

describe('the task verbs through the server', () => {
  it('runs each new method over JSON-RPC, and the file and every subscriber follow', async () => {
    const root = await makeProject(verbsFile());
    const server = await startServer(root);
    const client = await RawClient.connect(server.wsUrl);
    const watcher = await RawClient.connect(server.wsUrl);
    await watcher.result('subscribe', { events: ['task.*'] });

    expect((await client.result<{ next: { id: string } }>('tasks.next')).next.id).toBe('1');

    await client.result('dependency.add', { id: 4, dependsOn: 3 });
    expect((await client.result<{ task: { dependencies: unknown[] } }>('task.get', { id: 4 })).task.dependencies.map(String)).toEqual(['3']);
    const cycle = await client.call('dependency.add', { id: 1, dependsOn: 4 });
    expect(cycle.error).toMatchObject({ code: -32602 });
    await client.result('dependency.remove', { id: 4, dependsOn: 3 });

    const moved = await client.result<{ moved: Array<{ from: string; to: string }> }>('task.move', { from: [4], to: [5] });
    expect(moved.moved).toEqual([{ from: '4', to: '5' }]);
    await watcher.waitFor((m) => m.method === 'task.moved' || (m.method === 'task.created' && (m.params as { id: string }).id === '5'));

    await client.result('subtasks.clear', { ids: [1] });
    expect((await client.result<{ task: { subtasks?: unknown[] } }>('task.get', { id: 1 })).task.subtasks ?? []).toEqual([]);

    await client.result('tag.copy', { from: 'master', to: 'feature' });
    const tags = await client.result<{ tags: Array<{ name: string; taskCount: number }> }>('tags.list');
    expect(tags.tags.map((t) => [t.name, t.taskCount])).toEqual([
      ['master', 4],
      ['feature', 4],
    ]);

    const onDisk = JSON.parse(await readFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), 'utf8'));
    expect(ids(onDisk.master.tasks)).toEqual(['1', '2', '3', '5']);
    expect(Object.keys(onDisk)).toEqual(['master', 'feature']);
  });

  it('reorders a task with task.reorder: the file keeps every id, subscribers hear one task.moved', async () => {
    const root = await makeProject(verbsFile());
    const server = await startServer(root);
    const client = await RawClient.connect(server.wsUrl);
    const watcher = await RawClient.connect(server.wsUrl);
    await watcher.result('subscribe', { events: ['task.*'] });

    expect(await client.result('task.reorder', { id: 4, before: 2 })).toMatchObject({ tag: 'master', id: '4', index: 1 });
    const moved = await watcher.waitFor((m) => m.method === 'task.moved');
    expect(moved.params).toMatchObject({ tag: 'master', id: '4', from: { index: 3 }, to: { index: 1 } });
    const onDisk = JSON.parse(await readFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), 'utf8'));
    expect(ids(onDisk.master.tasks)).toEqual(['1', '4', '2', '3']);
    expect(onDisk.master.tasks[2].dependencies).toEqual([1]);
    await client.result('ping');
    expect(watcher.messages.filter((m) => typeof m.method === 'string' && m.method.startsWith('task.')).map((m) => m.method)).toEqual(['task.moved']);
  });

  it('switches the current tag with tag.use, which writes state.json, and later calls default to it', async () => {
    const root = await makeProject(verbsFile());
    const server = await startServer(root);
    const client = await RawClient.connect(server.wsUrl);
    await client.result('tag.add', { name: 'feature', description: 'Feature work' });
    // Viewing another tag never switches.
    await client.result('tasks.list', { tag: 'feature' });
    expect((await client.result<{ current: string }>('tags.list')).current).toBe('master');

    expect(await client.result('tag.use', { name: 'feature' })).toMatchObject({ current: 'feature', previous: 'master', taskCount: 0 });
    const state = JSON.parse(await readFile(join(root, '.taskmaster', 'state.json'), 'utf8'));
    expect(state.currentTag).toBe('feature');
    const created = await client.result<{ tag: string }>('task.create', { task: { title: 'On the feature tag' } });
    expect(created.tag).toBe('feature');

    const unknown = await client.call('tag.use', { name: 'nosuchtag' });
    expect(unknown.error).toMatchObject({ code: 1008, data: { tags: ['master', 'feature'] } });

    // Renamed while current, the tag stays current under its new name (as Task Master's rename-tag does).
    expect(await client.result('tag.rename', { from: 'feature', to: 'login' })).toMatchObject({ from: 'feature', to: 'login', current: true });
    expect(JSON.parse(await readFile(join(root, '.taskmaster', 'state.json'), 'utf8')).currentTag).toBe('login');
    const next = await client.result<{ tag: string }>('task.create', { task: { title: 'Still on it' } });
    expect(next.tag).toBe('login');
    // Over HTTP the same.
    const rpc = (method: string, params?: unknown) => httpRequest(`${server.httpUrl}/api/rpc`, { body: { jsonrpc: '2.0', id: 1, method, params } });
    expect((await rpc('tag.rename', { from: 'login', to: 'signin' })).json().result).toMatchObject({ from: 'login', to: 'signin', current: true });
    expect((await client.result<{ current: string }>('tags.list')).current).toBe('signin');
  });

  it('answers the same methods over HTTP, with 404 for what does not exist', async () => {
    const root = await makeProject(verbsFile());
    const server = await startServer(root);
    const rpc = (method: string, params?: unknown) => httpRequest(`${server.httpUrl}/api/rpc`, { body: { jsonrpc: '2.0', id: 1, method, params } });

    const next = await rpc('tasks.next');
    expect(next.json().result.next.id).toBe('1');
    const problems = await rpc('dependencies.validate');
    expect(problems.json().result.problems).toEqual([]);
    await rpc('task.setStatus', { ids: [1], status: 'done' });
    expect((await rpc('tasks.list', { ready: true })).json().result.tasks.map((t: { id: unknown }) => String(t.id))).toEqual(['2', '4']);

    const missing = await httpRequest(`${server.httpUrl}/api/tasks?tag=nosuchtag`);
    expect(missing.status).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 1008 });
    const bogus = await httpRequest(`${server.httpUrl}/api/tasks?status=bogus`);
    expect(bogus.status).toBe(400);
    expect(bogus.json().error.message).toContain('pending');
  });
});
