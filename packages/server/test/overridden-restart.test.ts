import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { overriddenNoticeId, type OverriddenNotice } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, cleanup, makeProject, smallFile, startServer } from './helpers.js';
import { quiet, settled, startOutsideWriter } from './task-master/harness.js';

/*
 * What another program wrote over stays known across a restart of the
 * server: a user who opens the board the next day still learns that their
 * title was replaced, until they put it back or the task changes again.
 */

afterEach(cleanup);

const noticesFile = (root: string) => join(root, '.taskmaster', 'tasks', 'history', 'overridden.json');

/** A server on `root` with a client subscribed to everything. */
async function serving(root: string, log?: (level: string, message: string) => void) {
  const server = await startServer(root, { token: false, ...(log ? { log } : {}) });
  const client = await RawClient.connect(server.wsUrl);
  await client.result('subscribe', { events: ['*'] });
  return { server, client };
}

/**
 * Makes an outside writer, reading before our change of task `id`'s title and priority, write its own title
 * over it: one notice. (The priority it writes back unchanged shows its read was stale.)
 */
async function writtenOver(root: string, client: RawClient, id: number): Promise<OverriddenNotice> {
  const outside = await startOutsideWriter(root, { edits: [{ tag: 'master', id, set: { title: `Theirs on ${id}` } }] });
  await client.result('task.update', { id, tag: 'master', changes: { title: `Ours on ${id}`, priority: 'high' } });
  await quiet(client, 300);
  const mark = client.messages.length;
  await outside.write();
  await settled(client, mark);
  const notices = client.events('sync.conflict');
  expect(notices.at(-1)?.params).toMatchObject({ id: String(id), fields: ['title'] });
  return notices.at(-1)!.params as OverriddenNotice;
}

const status = (client: RawClient) => client.result<{ epoch: string; revision: number; overridden?: OverriddenNotice[] }>('sync.status');

describe('overridden changes across a restart of the server', () => {
  it('are listed again by the next server while they stand, in its change log, and forgotten once put back', async () => {
    const root = await makeProject(smallFile(6));
    const first = await serving(root);
    const notice2 = await writtenOver(root, first.client, 2);
    const notice4 = await writtenOver(root, first.client, 4);
    await first.server.close();

    const second = await serving(root);
    const after = await status(second.client);
    // The same notices, oldest first, numbered in the new server's epoch.
    const strip = ({ revision: _, ...n }: OverriddenNotice) => n;
    expect(after.overridden?.map(strip)).toEqual([strip(notice2), strip(notice4)]);
    expect(after.overridden?.map((n) => n.revision)).toEqual([1, 2]);
    // A client that pulls from the start of this epoch gets them as events too.
    const pulled = await second.client.result<{ events: Array<{ event: string; payload: OverriddenNotice }> }>('sync.pull', { since: 0, epoch: after.epoch });
    expect(pulled.events.map((e) => [e.event, e.payload.id])).toEqual([
      ['sync.conflict', '2'],
      ['sync.conflict', '4'],
    ]);

    // Put back on task 2; task 4 still stands, through another restart.
    await second.client.result('task.update', { id: 2, tag: 'master', changes: { title: 'Ours on 2' } });
    expect((await status(second.client)).overridden?.map((n) => n.id)).toEqual(['4']);
    await second.server.close();
    const third = await serving(root);
    expect((await status(third.client)).overridden?.map((n) => n.id)).toEqual(['4']);

    // Changed again while no server ran (Task Master, an editor): over at the next start, and the file goes.
    await third.server.close();
    const data = JSON.parse(await readFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), 'utf8'));
    data.master.tasks[3].title = 'Edited by hand';
    await writeFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), JSON.stringify(data, null, 2));
    const fourth = await serving(root);
    expect((await status(fourth.client)).overridden).toBeUndefined();
    await fourth.server.close();
    expect(existsSync(noticesFile(root))).toBe(false);
  }, 60_000);

  it('drops a notice dismissed (overridden.dismiss) for every client, in the change log, and across a restart; the file untouched', async () => {
    const root = await makeProject(smallFile(6));
    const first = await serving(root);
    const other = await RawClient.connect(first.server.wsUrl);
    await other.result('subscribe', { events: ['sync.*'] });
    const notice2 = await writtenOver(root, first.client, 2);
    const notice4 = await writtenOver(root, first.client, 4);
    const tasksJson = join(root, '.taskmaster', 'tasks', 'tasks.json');
    const before = await readFile(tasksJson, 'utf8');

    // Named by its content: another change of the same task is not this one.
    const result = await other.result<{ dismissed: boolean; revision: number }>('overridden.dismiss', { notice: overriddenNoticeId({ ...notice2, ours: { title: 'Something else' } }) });
    expect(result.dismissed).toBe(false);
    expect(first.client.events('sync.conflict.dismissed')).toEqual([]);
    const dismissed = await other.result<{ dismissed: boolean; revision: number }>('overridden.dismiss', { notice: overriddenNoticeId(notice2) });
    expect(dismissed.dismissed).toBe(true);
    // Every client hears it, the one that asked too, with its place in the change log.
    const heard = { tag: 'master', id: '2', notice: overriddenNoticeId(notice2), revision: dismissed.revision };
    await expect.poll(() => first.client.events('sync.conflict.dismissed').map((e) => e.params)).toEqual([heard]);
    await expect.poll(() => other.events('sync.conflict.dismissed').map((e) => e.params)).toEqual([heard]);
    expect((await status(first.client)).overridden?.map((n) => n.id)).toEqual(['4']);
    const { epoch } = await status(first.client);
    const pulled = await first.client.result<{ events: Array<{ event: string; payload: { id: string } }> }>('sync.pull', { since: notice4.revision, epoch });
    expect(pulled.events.map((e) => [e.event, e.payload.id])).toEqual([['sync.conflict.dismissed', '2']]);
    // Once only; the file as it was.
    expect((await other.result<{ dismissed: boolean }>('overridden.dismiss', { notice: overriddenNoticeId(notice2) })).dismissed).toBe(false);
    expect(await readFile(tasksJson, 'utf8')).toBe(before);
    const refused = await other.call('overridden.dismiss', { notice: '' });
    expect((refused.error as { code: number }).code).toBe(-32602);

    // The next server does not announce it again.
    await first.server.close();
    const second = await serving(root);
    expect((await status(second.client)).overridden?.map((n) => n.id)).toEqual(['4']);
  }, 60_000);

  it('starts without the kept notices when their file is not valid, says so in the log, and writes the next one in its place', async () => {
    const root = await makeProject(smallFile(6));
    await mkdir(join(root, '.taskmaster', 'tasks', 'history'), { recursive: true });
    await writeFile(noticesFile(root), '{"version": 1, "notices": [{"tag": "master"}]}');
    const logged: string[] = [];
    const { client } = await serving(root, (level, message) => logged.push(`${level}: ${message}`));
    expect((await status(client)).overridden).toBeUndefined();
    expect(logged).toContain('warn: could not read the overridden changes kept for a restart (tasks/history/overridden.json)');
    await writtenOver(root, client, 3);
    await expect.poll(async () => JSON.parse(await readFile(noticesFile(root), 'utf8')).notices.map((n: OverriddenNotice) => n.id)).toEqual(['3']);
  }, 60_000);

  it('never follows a symbolic link planted as the file, reading or writing', async () => {
    const root = await makeProject(smallFile(6));
    // Outside the history folder (in the project's root, removed with it): what a link would have us read and write.
    const outside = join(root, 'elsewhere.json');
    const planted = JSON.stringify({ version: 1, notices: [{ tag: 'master', id: '1', fields: ['title'], ours: { title: 'x' }, theirs: { title: 'Task 1' }, revision: 9 }] });
    await writeFile(outside, planted);
    await mkdir(join(root, '.taskmaster', 'tasks', 'history'), { recursive: true });
    await symlink(outside, noticesFile(root));
    const { client } = await serving(root);
    // Its notice would stand (task 1's title is "Task 1"): not read through the link.
    expect((await status(client)).overridden).toBeUndefined();
    await writtenOver(root, client, 3);
    await expect.poll(async () => JSON.parse(await readFile(noticesFile(root), 'utf8')).notices.map((n: OverriddenNotice) => n.id)).toEqual(['3']);
    expect(await readFile(outside, 'utf8')).toBe(planted);
  }, 60_000);
});
