import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, cleanup, makeProject, startServer } from './helpers.js';
import { runTaskMaster } from './task-master/harness.js';

afterEach(cleanup);

const tag = (title: string) => ({ tasks: [{ id: 1, title, description: '', details: '', testStrategy: '', status: 'pending', dependencies: [], priority: 'medium', subtasks: [] }], metadata: { created: '2026-01-01T00:00:00.000Z', updated: '2026-01-01T00:00:00.000Z', description: title } });
const tags = () => ({ master: tag('On master'), alpha: tag('On alpha'), bravo: tag('On bravo') });

/** What Task Master's `use-tag` does to state.json: read it, set the tag and the time, write it back in place. */
async function switchTagAsTaskMasterDoes(root: string, name: string): Promise<void> {
  const file = join(root, '.taskmaster', 'state.json');
  const state = JSON.parse(await readFile(file, 'utf8').catch(() => '{}'));
  await writeFile(file, JSON.stringify({ ...state, currentTag: name, lastSwitched: new Date().toISOString() }, null, 2), 'utf8');
}

describe('the current tag', () => {
  it('follows each switch another program writes to state.json from the very next request, even a rewrite of the same size within a millisecond', async () => {
    const root = await makeProject(tags());
    const server = await startServer(root);
    const client = await RawClient.connect(server.wsUrl);
    // `alpha` and `bravo` have the same length: each switch rewrites the file in place at the same size.
    for (let i = 0; i < 40; i++) {
      const name = i % 2 === 0 ? 'alpha' : 'bravo';
      await switchTagAsTaskMasterDoes(root, name);
      const created = await client.result<{ tag: string }>('task.create', { task: { title: `Round ${i}` } });
      expect(created.tag, `round ${i}`).toBe(name);
    }
    const listed = await client.result<{ tasks: Array<{ title: string }> }>('tasks.list', { tag: 'bravo' });
    expect(listed.tasks.map((t) => t.title)).toEqual(['On bravo', ...Array.from({ length: 20 }, (_, k) => `Round ${2 * k + 1}`)]);
  });

  it('is the one the real Task Master CLI switched to, at the first request after its use-tag, while requests kept coming', async () => {
    const root = await makeProject(tags());
    const server = await startServer(root);
    const client = await RawClient.connect(server.wsUrl);
    expect((await client.result<{ current: string }>('tags.list')).current).toBe('master');
    // Requests all along, so that anything the server remembers of the tag is fresh when Task Master switches it.
    let polling = true;
    const poll = (async () => {
      while (polling) {
        await client.result('tasks.list');
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const run = await runTaskMaster(root, ['use-tag', 'alpha']);
    const created = await client.result<{ tag: string }>('task.create', { task: { title: 'After use-tag' } });
    polling = false;
    await poll;
    expect(run.code, run.stderr).toBe(0);
    expect(created.tag).toBe('alpha');
    expect((await client.result<{ current: string }>('tags.list')).current).toBe('alpha');
  });
});

describe('a switch of the current tag', () => {
  it("is told to every client, once each: the real Task Master's use-tag, tag.use, a rename of the current tag; not a rewrite that keeps it", async () => {
    const root = await makeProject(tags());
    const server = await startServer(root);
    const watcher = await RawClient.connect(server.wsUrl);
    await watcher.result('subscribe', { events: ['tag.current.changed'] });
    const { revision: since, epoch } = await watcher.result<{ revision: number; epoch: string }>('sync.pull');
    const switchedTo = async (current: string) => (await watcher.waitFor((m) => m.method === 'tag.current.changed' && (m.params as { current: string }).current === current)).params;
    const run = await runTaskMaster(root, ['use-tag', 'alpha']);
    expect(run.code, run.stderr).toBe(0);
    expect(await switchedTo('alpha')).toEqual({ current: 'alpha', previous: 'master', revision: expect.any(Number) });
    const other = await RawClient.connect(server.wsUrl);
    await other.result('tag.use', { name: 'bravo' });
    expect(await switchedTo('bravo')).toMatchObject({ current: 'bravo', previous: 'alpha' });
    await other.result('tag.rename', { from: 'bravo', to: 'bravo-2' });
    expect(await switchedTo('bravo-2')).toMatchObject({ current: 'bravo-2', previous: 'bravo' });
    // Task Master rewrites state.json on other commands too, keeping the tag: nothing to tell.
    await switchTagAsTaskMasterDoes(root, 'bravo-2');
    await new Promise((r) => setTimeout(r, 500));
    const told = (messages: Array<{ method?: string; event?: string; params?: unknown; payload?: unknown }>) =>
      messages.filter((m) => (m.method ?? m.event) === 'tag.current.changed').map((m) => (m.params ?? m.payload) as { current: string }).map((p) => p.current);
    expect(told(watcher.messages)).toEqual(['alpha', 'bravo', 'bravo-2']);
    // A client that polls, or was away, pulls the switches from the change log.
    const pulled = await other.result<{ full: boolean; events: Array<{ event: string; payload: unknown }> }>('sync.pull', { since, epoch });
    expect(pulled.full).toBe(false);
    expect(told(pulled.events)).toEqual(['alpha', 'bravo', 'bravo-2']);
  }, 120_000);
});

describe('the tags clients are told of', () => {
  it("follow the real Task Master's add-tag (empty), rename-tag and delete-tag: file.changed names the file's tags whenever they change", async () => {
    const root = await makeProject(tags());
    const server = await startServer(root);
    const watcher = await RawClient.connect(server.wsUrl);
    await watcher.result('subscribe', { events: ['*'] });
    const onDisk = async () => Object.keys(JSON.parse(await readFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), 'utf8')));
    const toldAfter = async (args: string[]) => {
      const run = await runTaskMaster(root, args);
      expect(run.code, run.stderr).toBe(0);
      const want = await onDisk();
      await watcher.waitFor((m) => m.method === 'file.changed' && JSON.stringify((m.params as { tags?: string[] }).tags) === JSON.stringify(want));
      return want;
    };
    // No task event could say any of these: an empty tag came, a tag went, a tag's name changed.
    expect(await toldAfter(['add-tag', 'sprint'])).toContain('sprint');
    const renamed = await toldAfter(['rename-tag', 'alpha', 'alpha-2']);
    expect(renamed).toContain('alpha-2');
    expect(renamed).not.toContain('alpha');
    expect(await toldAfter(['delete-tag', 'bravo', '--yes'])).not.toContain('bravo');
    // A change of a task only names no tags.
    await watcher.result('task.setStatus', { ids: [1], status: 'done' });
    const last = await watcher.waitFor((m) => m.method === 'file.changed' && (m.params as { source: string }).source === 'server');
    expect((last.params as { tags?: string[] }).tags).toBeUndefined();
  }, 120_000);
});
