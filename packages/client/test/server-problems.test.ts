import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MethodResult } from '@taskmaster/protocol';
import { createClient, watchServerProblems, type ServerProblems } from '../src/index.js';
import { closedPort, Harness, until } from './helpers.js';

const h = new Harness();
afterEach(() => h.cleanup());

const task = (id: number, title: string | null) => ({ id, title, description: '', status: 'pending', dependencies: [], subtasks: [] });
const file = (featureTitle: string | null) => ({
  master: { tasks: [task(1, 'One')], metadata: {} },
  feature: { tasks: [task(1, 'Feature one'), task(2, featureTitle)], metadata: {} },
});
const write = (root: string, data: unknown) => writeFile(join(root, '.taskmaster/tasks/tasks.json'), `${JSON.stringify(data, null, 2)}\n`);

describe('watchServerProblems', () => {
  it('follows what the server cannot read: a broken tag from the start, a whole file gone bad and back, a tag mended', async () => {
    const root = await h.project();
    await write(root, file(null));
    const server = await h.server(root, { debounceMs: 20 });
    const client = h.track(createClient({ url: server.wsUrl, token: server.token }));
    const seen: ServerProblems[] = [];
    const stop = watchServerProblems(client, (p) => seen.push(p));
    await client.ready();
    const latest = () => seen.at(-1);

    await until(() => latest()?.tags.feature !== undefined, 'the broken tag');
    expect(latest()).toEqual({ file: undefined, tags: { feature: 'task 2, field title: expected string, received null' } });

    const good = await readFile(join(root, '.taskmaster/tasks/tasks.json'));
    await writeFile(join(root, '.taskmaster/tasks/tasks.json'), '{"master": ');
    await until(() => latest()?.file !== undefined, 'the bad file');
    expect(latest()!.file).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/not valid JSON/) });
    // Put back byte for byte: the problem ends though no task changed; the tag is still broken.
    await writeFile(join(root, '.taskmaster/tasks/tasks.json'), good);
    await until(() => latest()?.file === undefined, 'the file back');
    expect(latest()!.tags).toEqual({ feature: 'task 2, field title: expected string, received null' });

    await rm(join(root, '.taskmaster/tasks/tasks.json'));
    await until(() => latest()?.file?.kind === 'missing', 'the missing file');

    await write(root, file('Feature two'));
    await until(() => latest()?.file === undefined && Object.keys(latest()!.tags).length === 0, 'the tag mended');
    const count = seen.length;
    stop();
    await write(root, file(null));
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toHaveLength(count);
  });

  it('hands over the whole sync.status it asked at each connection, once, for a view to show connections and overridden changes', async () => {
    const root = await h.project();
    await write(root, file('Feature two'));
    const first = await h.server(root, { debounceMs: 20 });
    const client = h.track(createClient({ url: first.wsUrl, token: first.token, clientName: 'status-probe', reconnect: { minDelayMs: 50, maxDelayMs: 200 } }));
    const statuses: MethodResult<'sync.status'>[] = [];
    watchServerProblems(client, () => {}, (status) => statuses.push(status));
    await client.ready();
    await until(() => statuses.length > 0, 'the first status');
    expect(statuses[0]!.connections.map((c) => c.client)).toEqual(['status-probe']);
    expect(statuses[0]!.epoch).toBe(first.epoch);
    await new Promise((r) => setTimeout(r, 300));
    expect(statuses).toHaveLength(1);

    // The server restarts on the same port: the client reconnects and the new server's status comes.
    const port = Number(new URL(first.wsUrl).port);
    await h.stop(first);
    const second = await h.server(root, { debounceMs: 20, port, token: first.token });
    await until(() => statuses.some((s) => s.epoch === second.epoch), 'the status after reconnecting');
    expect(statuses.at(-1)!.connections.map((c) => c.client)).toEqual(['status-probe']);
  });

  it('over HTTP polling, learns from the change log it pulls of a tag that broke, a file gone bad and a file gone missing', async () => {
    const root = await h.project();
    await write(root, file('Feature two'));
    const server = await h.server(root, { debounceMs: 20 });
    const path = new URL(server.wsUrl).pathname;
    const client = h.track(createClient({ url: `ws://127.0.0.1:${await closedPort()}${path}`, httpUrl: server.httpUrl, root, polling: { intervalMs: 100 } }));
    const seen: ServerProblems[] = [];
    watchServerProblems(client, (p) => seen.push(p));
    await client.ready();
    expect(client.mode).toBe('polling');
    await until(() => seen.length > 0, 'the first answer');
    expect(seen.at(-1)).toEqual({ file: undefined, tags: {} });

    await write(root, file(null));
    await until(() => seen.at(-1)?.tags.feature !== undefined, 'the broken tag');
    await write(root, file('Mended'));
    await until(() => Object.keys(seen.at(-1)!.tags).length === 0, 'the tag mended');

    // The whole file, which no sync.status is asked about while polling goes on: only the pulled notices tell.
    const asked = seen.length;
    await writeFile(join(root, '.taskmaster/tasks/tasks.json'), '{"master": ');
    await until(() => seen.at(-1)?.file !== undefined, 'the bad file');
    expect(seen.at(-1)!.file).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/not valid JSON/) });
    await write(root, file('Mended'));
    await until(() => seen.at(-1)?.file === undefined, 'the file back');
    await rm(join(root, '.taskmaster/tasks/tasks.json'));
    await until(() => seen.at(-1)?.file?.kind === 'missing', 'the missing file');
    await write(root, file('Mended again'));
    await until(() => seen.at(-1)?.file === undefined, 'the file back again');
    expect(seen.length - asked).toBe(4);
    expect(client.mode).toBe('polling');
  });
});
