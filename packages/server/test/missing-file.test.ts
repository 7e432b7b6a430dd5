import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, cleanup, eventually, makeProject, startServer } from './helpers.js';

afterEach(cleanup);

const tasksFileOf = (root: string) => join(root, '.taskmaster', 'tasks', 'tasks.json');

async function titlesOnDisk(root: string): Promise<string[]> {
  const data = JSON.parse(await readFile(tasksFileOf(root), 'utf8')) as { master: { tasks: Array<{ title: string }> } };
  return data.master.tasks.map((t) => t.title);
}

describe('a tasks.json that goes missing', () => {
  it('is announced once as file.missing, keeps the last good version, sends no task events and refuses writes', async () => {
    const root = await makeProject();
    const server = await startServer(root, { debounceMs: 20, token: false });
    const client = await RawClient.connect(server.wsUrl);
    await client.result('subscribe', { events: ['*'] });
    const original = await readFile(tasksFileOf(root));
    const { revision: before, epoch } = await client.result<{ revision: number; epoch: string }>('sync.status');

    await rm(tasksFileOf(root));
    const missing = await client.waitFor((m) => m.method === 'file.missing');
    expect(missing.params).toMatchObject({ path: '.taskmaster/tasks/tasks.json' });
    expect((missing.params as { message: string }).message).toMatch(/removed/);
    expect((await client.result<{ tasks: unknown[] }>('tasks.list')).tasks).toHaveLength(5);
    // A client connecting now learns it too.
    const late = await RawClient.connect(server.wsUrl);
    expect((await late.result<{ fileProblem?: unknown }>('sync.status')).fileProblem).toEqual({ kind: 'missing', message: (missing.params as { message: string }).message });
    // And one that polls, or comes back from a disconnect, pulls the notice with what it missed.
    const pulled = await late.result<{ full: boolean; events: unknown[] }>('sync.pull', { since: before, epoch });
    expect(pulled).toMatchObject({ full: false, events: [{ event: 'file.missing', payload: missing.params }] });

    const create = await client.call('task.create', { task: { title: 'Written while missing' } });
    expect((create.error as { code: number; message: string }).code).toBe(ErrorCode.FileAccessDenied);
    expect((create.error as { message: string }).message).toMatch(/missing/);
    await expect(readFile(tasksFileOf(root))).rejects.toMatchObject({ code: 'ENOENT' });

    // Back as it was: no task changed for any client, who learn from file.changed that the file is there again, and writes work again.
    const changedBefore = client.events('file.changed').length;
    await writeFile(tasksFileOf(root), original);
    await eventually(() => expect(client.events('file.changed')).toHaveLength(changedBefore + 1));
    expect(client.events('file.changed').at(-1)!.params).toMatchObject({ path: '.taskmaster/tasks/tasks.json', source: 'external' });
    expect((await late.result<{ fileProblem?: unknown }>('sync.status')).fileProblem).toBeUndefined();
    await eventually(async () => expect((await client.call('task.create', { task: { title: 'After the return' } })).result).toBeDefined());
    expect(await titlesOnDisk(root)).toEqual(['Task 1', 'Task 2', 'Task 3', 'Task 4', 'Task 5', 'After the return']);
    expect(client.events('file.missing')).toHaveLength(1);
    expect(client.events('task.deleted')).toHaveLength(0);
    expect(client.events('task.created').map((e) => (e.params.task as { title: string }).title)).toEqual(['After the return']);
  });

  it('writes the first task of a project that has no tasks.json yet', async () => {
    const root = await makeProject();
    await rm(tasksFileOf(root));
    const server = await startServer(root, { debounceMs: 20, token: false });
    const client = await RawClient.connect(server.wsUrl);
    const created = await client.result<{ id: string }>('task.create', { task: { title: 'The first one' } });
    expect(created.id).toBe('1');
    expect(await titlesOnDisk(root)).toEqual(['The first one']);
  });

  it('lets a write made while the file is being replaced land on the file that comes back', async () => {
    const root = await makeProject();
    const server = await startServer(root, { debounceMs: 20, token: false });
    const client = await RawClient.connect(server.wsUrl);
    await client.result('subscribe', { events: ['task.*'] });
    const original = JSON.parse(await readFile(tasksFileOf(root), 'utf8')) as { master: { tasks: Array<{ title: string }> } };
    // An editor that deletes the file, then writes its own version (one title changed) 300 ms later.
    original.master.tasks[1]!.title = 'Edited by the editor';
    await rm(tasksFileOf(root));
    const returning = new Promise<void>((resolve) => setTimeout(() => void writeFile(tasksFileOf(root), JSON.stringify(original, null, 2)).then(resolve), 300));

    const created = await client.result<{ id: string }>('task.create', { task: { title: 'Created during the gap' } });
    await returning;
    expect(created.id).toBe('6');
    expect(await titlesOnDisk(root)).toEqual(['Task 1', 'Edited by the editor', 'Task 3', 'Task 4', 'Task 5', 'Created during the gap']);
    await eventually(() => expect(client.events('task.updated').map((e) => e.params.id)).toContain('2'));
    expect(client.events('task.deleted')).toHaveLength(0);
    expect(client.events('task.created')).toHaveLength(1);
  });
});
