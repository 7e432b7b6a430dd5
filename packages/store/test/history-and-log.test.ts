import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import { cleanup, FIXTURE_TEXT, readSnapshot, rejectionOf, startChild, tempProject } from './helpers.js';

afterEach(cleanup);

function projectWithConfig(config: object, tasks: object = { master: { tasks: [{ id: 1, title: 'secret title', description: 'secret text', status: 'pending' }] } }) {
  const project = tempProject(tasks);
  const configDir = path.join(project.root, '.taskmaster', 'config');
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(path.join(configDir, 'sync.json'), JSON.stringify(config));
  return project;
}

const flip = (i: number) => (i % 2 ? 'done' : 'review');

describe('history snapshots', () => {
  it('saves the previous file before each write, newest first', async () => {
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } });
    const original = fs.readFileSync(project.tasksFile, 'utf8');
    const store = await openStore(project.root);
    await store.setStatus([1], 'done', { tag: 'master' });
    const afterFirst = fs.readFileSync(project.tasksFile, 'utf8');
    await store.setStatus([1], 'review', { tag: 'master' });
    const list = await store.history.list();
    expect(list).toHaveLength(2);
    expect(list[0]!.id > list[1]!.id).toBe(true);
    expect(readSnapshot(project.historyDir, list[1]!.id)).toBe(original);
    expect(readSnapshot(project.historyDir, list[0]!.id)).toBe(afterFirst);
    expect(list[0]).toEqual({
      id: list[0]!.id,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      // Compressed bytes on disk, and the change that followed the snapshot.
      bytes: fs.statSync(path.join(project.historyDir, `${list[0]!.id}.json.gz`)).size,
      op: 'task.setStatus',
      ids: ['1'],
      tag: 'master',
    });
  });

  it('keeps at most maxSnapshots, dropping the oldest, with unique ids even within a millisecond', async () => {
    const project = projectWithConfig({ history: { maxSnapshots: 3 } });
    const store = await openStore(project.root);
    for (let i = 0; i < 8; i++) await store.setStatus([1], flip(i), { tag: 'master' });
    const list = await store.history.list();
    expect(list).toHaveLength(3);
    expect(new Set(list.map((s) => s.id)).size).toBe(3);
    // The newest snapshot holds the state just before the last write.
    expect(JSON.parse(readSnapshot(project.historyDir, list[0]!.id)).master.tasks[0].status).toBe(flip(6));
  });

  it('keeps the snapshots within maxBytes', async () => {
    const size = Buffer.byteLength(FIXTURE_TEXT);
    // The limit counts compressed bytes: under a third of the file per snapshot, so 2.5 files' worth hold all five.
    const project = projectWithConfig({ history: { maxSnapshots: 50, maxBytes: Math.floor(size * 2.5) } }, JSON.parse(FIXTURE_TEXT));
    const store = await openStore(project.root);
    for (let i = 0; i < 5; i++) await store.setStatus([1], flip(i), { tag: 'master' });
    const packed = (await store.history.list())[0]!.bytes;
    expect(packed).toBeLessThan(size / 3);
    const tight = projectWithConfig({ history: { maxSnapshots: 50, maxBytes: Math.floor(packed * 2.5) } }, JSON.parse(FIXTURE_TEXT));
    const tightStore = await openStore(tight.root);
    for (let i = 0; i < 5; i++) await tightStore.setStatus([1], flip(i), { tag: 'master' });
    const list = await tightStore.history.list();
    expect(list).toHaveLength(2);
    expect(list.reduce((n, s) => n + s.bytes, 0)).toBeLessThanOrEqual(packed * 2.5);
  });

  it('restores a snapshot, and the restore itself can be undone', async () => {
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } });
    const original = fs.readFileSync(project.tasksFile, 'utf8');
    const store = await openStore(project.root);
    await store.setStatus([1], 'done', { tag: 'master' });
    const changed = fs.readFileSync(project.tasksFile, 'utf8');
    const [beforeChange] = await store.history.list();

    const restored = await store.history.restore(beforeChange!.id);
    expect(restored.value).toEqual({ restored: beforeChange!.id });
    expect(restored.changes).toContainEqual(expect.objectContaining({ event: 'task.status.changed', payload: expect.objectContaining({ id: '1', to: 'pending' }) }));
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(original);

    const [beforeRestore] = await store.history.list();
    await store.history.restore(beforeRestore!.id);
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(changed);
  });

  it('restores over a corrupted tasks.json, keeping the corrupted bytes in history', async () => {
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'one' }] } });
    const store = await openStore(project.root);
    await store.setStatus([1], 'done', { tag: 'master' });
    const good = fs.readFileSync(project.tasksFile, 'utf8');
    const [snapshot] = await store.history.list();
    fs.writeFileSync(project.tasksFile, '{"master": {"tasks": [');
    await store.history.restore(snapshot!.id);
    expect(JSON.parse(fs.readFileSync(project.tasksFile, 'utf8')).master.tasks[0].status).toBeUndefined();
    const [corrupted] = await store.history.list();
    expect(readSnapshot(project.historyDir, corrupted!.id)).toBe('{"master": {"tasks": [');
    expect(good).toContain('"done"');
  });

  it('with historyQuietMs (a server), compresses the snapshots of a stream of writes once it pauses, or when listed', async () => {
    const project = tempProject(JSON.parse(FIXTURE_TEXT));
    const versions = [fs.readFileSync(project.tasksFile, 'utf8')];
    const store = await openStore(project.root, { historyQuietMs: 3000 });
    const names = () => fs.readdirSync(project.historyDir).filter((n) => !n.startsWith('.')).sort();
    for (let i = 0; i < 4; i++) {
      await store.setStatus([1], flip(i), { tag: 'master' });
      versions.unshift(fs.readFileSync(project.tasksFile, 'utf8'));
    }
    // Less than 3 s after the last write (each takes a few ms): kept whole, each file counted at its size.
    const during = names();
    expect(during.filter((n) => n.endsWith('.json.gz'))).toEqual([]);
    expect(during.filter((n) => n.endsWith('.json') && !n.endsWith('.about.json'))).toHaveLength(4);
    // Then, once the writes have paused, compressed without anyone asking.
    const deadline = Date.now() + 20_000;
    while (names().some((n) => n.endsWith('.json')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(names().filter((n) => n.endsWith('.json.gz'))).toHaveLength(4);
    expect(names().filter((n) => n.endsWith('.json'))).toEqual([]);
    const list = await store.history.list();
    expect(list.map((s) => readSnapshot(project.historyDir, s.id))).toEqual(versions.slice(1));
    expect(list[0]).toMatchObject({ op: 'task.setStatus', ids: ['1'], tag: 'master', bytes: fs.statSync(path.join(project.historyDir, `${list[0]!.id}.json.gz`)).size });

    // Listed before the pause: compressed first, so the list shows what stays.
    const quiet = await openStore(project.root, { historyQuietMs: 60_000 });
    await quiet.setStatus([1], 'review', { tag: 'master' });
    await quiet.setStatus([1], 'pending', { tag: 'master' });
    const listed = await quiet.history.list();
    expect(listed).toHaveLength(6);
    expect(names().filter((n) => n.endsWith('.json'))).toEqual([]);
    expect(listed[0]!.bytes).toBe(fs.statSync(path.join(project.historyDir, `${listed[0]!.id}.json.gz`)).size);
  });

  it('compresses the snapshots a stopped server left plain once the next server is quiet; a one-off command leaves them', async () => {
    const project = tempProject(JSON.parse(FIXTURE_TEXT));
    const versions = [fs.readFileSync(project.tasksFile, 'utf8')];
    const names = () => fs.readdirSync(project.historyDir).filter((n) => !n.startsWith('.')).sort();
    const plain = () => names().filter((n) => n.endsWith('.json') && !n.endsWith('.about.json'));
    // A server stopped (dropped) less than its quiet time after its last writes.
    const stopped = await openStore(project.root, { historyQuietMs: 600_000 });
    for (let i = 0; i < 3; i++) {
      await stopped.setStatus([1], flip(i), { tag: 'master' });
      versions.unshift(fs.readFileSync(project.tasksFile, 'utf8'));
    }
    expect(plain()).toHaveLength(3);
    // A command run meanwhile writes its own snapshot compressed, and leaves the server's as they are.
    const command = await openStore(project.root);
    await command.setStatus([1], 'pending', { tag: 'master' });
    versions.unshift(fs.readFileSync(project.tasksFile, 'utf8'));
    await command.history.list();
    expect(plain()).toHaveLength(3);
    // A process stopped between renaming a .json.gz into place and removing its plain file left both.
    const [compressed] = names().filter((n) => n.endsWith('.json.gz'));
    const packed = fs.readFileSync(path.join(project.historyDir, compressed!));
    fs.writeFileSync(path.join(project.historyDir, compressed!.replace('.json.gz', '.json')), versions[1]!);
    // A process of an older version stopped between removing a plain file and its description left the
    // description alone; a file of the user's own that only looks like one is not ours to remove.
    const orphan = '2026-01-02T03-04-05.678Z-001.about.json';
    fs.writeFileSync(path.join(project.historyDir, orphan), JSON.stringify({ op: 'task.setStatus' }));
    fs.writeFileSync(path.join(project.historyDir, 'notes.about.json'), '{}');
    // The next server compresses them by itself once it has had no commit for its quiet time.
    const seen: string[] = [];
    const watcher = fs.watch(project.historyDir, (_event, name) => name && seen.push(name));
    const next = await openStore(project.root, { historyQuietMs: 200 });
    const deadline = Date.now() + 20_000;
    while (plain().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(plain()).toEqual([]);
    expect(names().filter((n) => n.endsWith('.about.json'))).toEqual(['notes.about.json']);
    // Each description went before its plain file: nothing looks for a description without one, so a
    // process stopped between the two removals leaves no description behind for good.
    await new Promise((r) => setTimeout(r, 100));
    watcher.close();
    const described = seen.filter((n) => n.endsWith('.about.json') && n !== orphan && n !== 'notes.about.json');
    expect(described.length).toBeGreaterThanOrEqual(3);
    for (const about of described) {
      expect(seen.lastIndexOf(about)).toBeLessThan(seen.lastIndexOf(about.replace('.about.json', '.json')));
    }
    // The plain file beside a whole .json.gz went, the .json.gz kept as it was.
    expect(fs.readFileSync(path.join(project.historyDir, compressed!)).equals(packed)).toBe(true);
    const list = await next.history.list();
    expect(list.map((s) => readSnapshot(project.historyDir, s.id))).toEqual(versions.slice(1));
    // Each still says which change followed it.
    expect(list.map((s) => s.op)).toEqual(Array(4).fill('task.setStatus'));
    expect(list[3]).toMatchObject({ ids: ['1'], tag: 'master', bytes: fs.statSync(path.join(project.historyDir, `${list[3]!.id}.json.gz`)).size });
  });

  it('keeps every snapshot whole and described when three processes compress the ones a stopped server left plain', async () => {
    const project = tempProject(JSON.parse(FIXTURE_TEXT));
    const entries = () => fs.readdirSync(project.historyDir);
    for (let round = 0; round < 5; round++) {
      // A server stopped within its quiet time leaves its snapshots plain, each with its description beside it.
      const stopped = await openStore(project.root, { historyQuietMs: 600_000 });
      for (let i = 0; i < 12; i++) await stopped.setStatus([1 + (i % 5)], flip(i + round), { tag: 'master' });
      const plain = entries().filter((n) => n.endsWith('.about.json')).map((n) => n.slice(0, -'.about.json'.length));
      expect(plain.length).toBeGreaterThanOrEqual(8);
      const texts = new Map(plain.map((id) => [id, readSnapshot(project.historyDir, id)]));
      // Three servers start at once and all compress them.
      const all = [1, 2, 3].map(() => startChild('settle-history.mjs', [project.root]));
      await Promise.all(all.map((c) => c.waitFor(/^ready$/)));
      for (const c of all) c.send('go');
      await Promise.all(all.map((c) => c.waitFor(/^done$/)));
      expect(entries().filter((n) => n.endsWith('.about.json') || n.endsWith('.tmp'))).toEqual([]);
      const settled = await (await openStore(project.root)).history.list();
      for (const s of settled.filter((s) => texts.has(s.id))) {
        expect({ id: s.id, op: s.op, ids: s.ids?.length }).toEqual({ id: s.id, op: 'task.setStatus', ids: 1 });
        expect(readSnapshot(project.historyDir, s.id)).toBe(texts.get(s.id));
      }
    }
  });

  it('removes the compressed copies a process stopped before placing, once they are a minute old', async () => {
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } });
    await (await openStore(project.root)).setStatus([1], 'done', { tag: 'master' });
    const stale = path.join(project.historyDir, '.compressing.4242.1.tmp');
    const fresh = path.join(project.historyDir, '.compressing.4242.2.tmp');
    for (const f of [stale, fresh]) fs.writeFileSync(f, 'partial gzip');
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    fs.utimesSync(stale, twoMinutesAgo, twoMinutesAgo);
    const store = await openStore(project.root, { historyQuietMs: 1000 });
    expect(fs.existsSync(stale)).toBe(false);
    // Perhaps another process's, still being written.
    expect(fs.existsSync(fresh)).toBe(true);
    expect(await store.history.list()).toHaveLength(1);
  });

  it('keeps snapshots unchanged when Task Master then rewrites tasks.json in place', async () => {
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } });
    const original = fs.readFileSync(project.tasksFile, 'utf8');
    const store = await openStore(project.root);
    await store.setStatus([1], 'done', { tag: 'master' });
    fs.writeFileSync(project.tasksFile, '{"master": {"tasks": []}}');
    const [snapshot] = await store.history.list();
    expect(readSnapshot(project.historyDir, snapshot!.id)).toBe(original);
  });

  it('keeps the old file of a large project (9 MB) by a link, not a copy: described, intact after an in-place rewrite, restorable', async () => {
    const details = 'x'.repeat(900);
    const tasks = Array.from({ length: 9000 }, (_, i) => ({ id: i + 1, title: `Task ${i + 1}`, details, status: 'pending' }));
    const project = tempProject({ master: { tasks } });
    const original = fs.readFileSync(project.tasksFile);
    const originalInode = fs.statSync(project.tasksFile).ino;
    const store = await openStore(project.root);
    await store.setStatus([7], 'done', { tag: 'master' });
    const [snapshot] = await store.history.list();
    expect(snapshot).toMatchObject({ op: 'task.setStatus', ids: ['7'], tag: 'master', bytes: original.length });
    // The very file that was replaced, still whole (too large to compress after each commit).
    const kept = path.join(project.historyDir, `${snapshot!.id}.json`);
    expect(fs.statSync(kept).ino).toBe(originalInode);
    expect(fs.statSync(project.tasksFile).ino).not.toBe(originalInode);
    // Task Master writes tasks.json in place: the snapshot is another file and keeps its bytes.
    fs.writeFileSync(project.tasksFile, fs.readFileSync(project.tasksFile, 'utf8').replace('"Task 1"', '"Task one"'));
    expect(fs.readFileSync(kept).equals(original)).toBe(true);
    await store.history.restore(snapshot!.id);
    expect(fs.readFileSync(project.tasksFile).equals(original)).toBe(true);
  });

  it('lists and restores plain .json snapshots written before compression', async () => {
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } });
    const old = JSON.stringify({ master: { tasks: [{ id: 1, title: 'old', status: 'review' }] } }, null, 2);
    fs.mkdirSync(project.historyDir);
    fs.writeFileSync(path.join(project.historyDir, '2020-01-01T00-00-00.000Z-000.json'), old);
    const store = await openStore(project.root);
    await store.setStatus([1], 'done', { tag: 'master', });
    const list = await store.history.list();
    expect(list.map((s) => s.id.startsWith('2020'))).toEqual([false, true]);
    expect(list[1]).toEqual({ id: '2020-01-01T00-00-00.000Z-000', createdAt: '2020-01-01T00:00:00.000Z', bytes: Buffer.byteLength(old) });
    await store.history.restore('2020-01-01T00-00-00.000Z-000');
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(old);
    // The file restored over is kept compressed, and says it preceded a restore.
    expect((await store.history.list())[0]).toMatchObject({ op: 'history.restore', ids: ['1'] });
  });

  it('makes every snapshot a file of its own, never a link to tasks.json', async () => {
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } });
    const original = fs.readFileSync(project.tasksFile, 'utf8');
    const store = await openStore(project.root);
    await store.setStatus([1], 'done', { tag: 'master' });
    // The second write knows the file without its bytes in memory: the snapshot is read from the file.
    const afterFirst = fs.readFileSync(project.tasksFile, 'utf8');
    await store.setStatus([1], 'review', { tag: 'master' });
    const snaps = await store.history.list();
    expect(snaps.map((s) => readSnapshot(project.historyDir, s.id))).toEqual([afterFirst, original]);
    for (const snap of snaps) expect(fs.statSync(path.join(project.historyDir, `${snap.id}.json.gz`)).nlink).toBe(1);
  });

  it('describes snapshots with plain values only, even when a planted snapshot says otherwise', async () => {
    const project = tempProject({ master: { tasks: [] } });
    fs.mkdirSync(project.historyDir);
    const zlib = await import('node:zlib');
    const packed = zlib.gzipSync('{"master": {"tasks": []}}');
    const comment = Buffer.from(JSON.stringify({ op: 'x\u001b[31m$(rm -rf ~)', ids: ['5', '1; curl evil'], actor: 'cli' }), 'latin1');
    const header = Buffer.from(packed.subarray(0, 10));
    header[3] = header[3]! | 0x10;
    fs.writeFileSync(path.join(project.historyDir, '2020-01-01T00-00-00.000Z-000.json.gz'), Buffer.concat([header, comment, Buffer.from([0]), packed.subarray(10)]));
    const [info] = await (await openStore(project.root)).history.list();
    expect(info!.op).toMatch(/^#[0-9a-f]{12}$/);
    expect(info!.ids).toEqual(['5', expect.stringMatching(/^#[0-9a-f]{12}$/)]);
    expect(info!.actor).toBe('cli');
  });

  it('refuses a damaged snapshot with a message, leaving tasks.json as it is', async () => {
    const project = tempProject({ master: { tasks: [] } });
    const before = fs.readFileSync(project.tasksFile, 'utf8');
    fs.mkdirSync(project.historyDir);
    fs.writeFileSync(path.join(project.historyDir, '2020-01-01T00-00-00.000Z-000.json.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2]));
    const err = await rejectionOf((await openStore(project.root)).history.restore('2020-01-01T00-00-00.000Z-000'));
    expect(err).toMatchObject({ code: -32602, message: expect.stringMatching(/snapshot 2020-01-01T00-00-00.000Z-000 is damaged/) });
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(before);
  });

  it('rejects snapshot ids that are unknown or could leave the history folder', async () => {
    const store = await openStore(tempProject({ master: { tasks: [] } }).root);
    for (const id of ['../tasks', '..\\tasks', 'a/b', '/etc/passwd']) {
      expect((await rejectionOf(store.history.restore(id))).code).toBe(-32602);
    }
    expect(await rejectionOf(store.history.restore('2020-01-01T00-00-00.000Z-000'))).toMatchObject({ code: -32602, message: 'snapshot 2020-01-01T00-00-00.000Z-000 not found' });
  });
});

describe('logs/sync.log', () => {
  it('records each operation as a JSON line without task text', async () => {
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'secret title', description: 'secret text', status: 'pending' }] } });
    const store = await openStore(project.root, { actor: 'cli' });
    await store.create({ title: 'another secret', details: 'token=abc123' }, { tag: 'master' });
    await store.update(1, { description: 'more secret text' }, { tag: 'master' });
    await rejectionOf(store.setStatus([1], 'nope', { tag: 'master' }));
    await store.log({ op: 'server.start', actor: 'server', title: 'sneaky' } as never);

    const text = fs.readFileSync(path.join(project.root, '.taskmaster', 'logs', 'sync.log'), 'utf8');
    expect(text).not.toMatch(/secret|token|abc123|sneaky/);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.op, l.actor, l.ok])).toEqual([
      ['task.create', 'cli', true],
      ['task.update', 'cli', true],
      ['task.setStatus', 'cli', false],
      ['server.start', 'server', undefined],
    ]);
    expect(lines[0]).toMatchObject({ ids: ['2'], tag: 'master', ms: expect.any(Number), ts: expect.any(String) });
    expect(lines[2]).toMatchObject({ code: -32602 });
    for (const line of lines) expect(Object.keys(line).every((k) => ['ts', 'op', 'actor', 'ids', 'tag', 'ms', 'ok', 'code'].includes(k))).toBe(true);
  });

  it('rotates by size, keeping the configured number of old files', async () => {
    const project = projectWithConfig({ log: { maxBytes: 1024, keep: 2 } });
    const store = await openStore(project.root);
    for (let i = 0; i < 60; i++) await store.log({ op: 'ping', actor: 'test', ids: [String(i)] });
    const logs = path.join(project.root, '.taskmaster', 'logs');
    expect(fs.readdirSync(logs).sort()).toEqual(['sync.log', 'sync.log.1', 'sync.log.2']);
    for (const name of fs.readdirSync(logs)) expect(fs.statSync(path.join(logs, name)).size).toBeLessThanOrEqual(1024);
    const newest = fs.readFileSync(path.join(logs, 'sync.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(newest.at(-1).ids).toEqual(['59']);
  });

  it('never fails an operation when the log cannot be written', async () => {
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'one' }] } });
    // A folder where the log file should be makes every append fail.
    fs.mkdirSync(path.join(project.root, '.taskmaster', 'logs', 'sync.log'), { recursive: true });
    const store = await openStore(project.root);
    await expect(store.setStatus([1], 'done', { tag: 'master' })).resolves.toMatchObject({ written: true });
    await expect(store.log({ op: 'x' })).resolves.toBeUndefined();
  });
});

describe('a writer killed between keeping the old file and replacing it', () => {
  it('leaves no snapshot sharing the live tasks.json: the next store to open drops it', async () => {
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } });
    fs.mkdirSync(project.historyDir);
    // What a SIGKILL after the link and before the rename leaves behind.
    const planted = path.join(project.historyDir, '2026-01-01T00-00-00.000Z-000.json');
    fs.linkSync(project.tasksFile, planted);
    const store = await openStore(project.root);
    expect(fs.existsSync(planted)).toBe(false);
    expect(await store.history.list()).toEqual([]);
  });
});
