import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import { cleanup, FIXTURE_TEXT, rejectionOf, tempProject } from './helpers.js';

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
    expect(fs.readFileSync(path.join(project.historyDir, `${list[1]!.id}.json`), 'utf8')).toBe(original);
    expect(fs.readFileSync(path.join(project.historyDir, `${list[0]!.id}.json`), 'utf8')).toBe(afterFirst);
    expect(list[0]).toEqual({ id: list[0]!.id, createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), bytes: Buffer.byteLength(afterFirst) });
  });

  it('keeps at most maxSnapshots, dropping the oldest, with unique ids even within a millisecond', async () => {
    const project = projectWithConfig({ history: { maxSnapshots: 3 } });
    const store = await openStore(project.root);
    for (let i = 0; i < 8; i++) await store.setStatus([1], flip(i), { tag: 'master' });
    const list = await store.history.list();
    expect(list).toHaveLength(3);
    expect(new Set(list.map((s) => s.id)).size).toBe(3);
    // The newest snapshot holds the state just before the last write.
    expect(JSON.parse(fs.readFileSync(path.join(project.historyDir, `${list[0]!.id}.json`), 'utf8')).master.tasks[0].status).toBe(flip(6));
  });

  it('keeps the snapshots within maxBytes', async () => {
    const size = Buffer.byteLength(FIXTURE_TEXT);
    const project = projectWithConfig({ history: { maxSnapshots: 50, maxBytes: Math.floor(size * 2.5) } }, JSON.parse(FIXTURE_TEXT));
    const store = await openStore(project.root);
    for (let i = 0; i < 5; i++) await store.setStatus([1], flip(i), { tag: 'master' });
    const list = await store.history.list();
    expect(list).toHaveLength(2);
    expect(list.reduce((n, s) => n + s.bytes, 0)).toBeLessThanOrEqual(size * 2.5);
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
    expect(fs.readFileSync(path.join(project.historyDir, `${corrupted!.id}.json`), 'utf8')).toBe('{"master": {"tasks": [');
    expect(good).toContain('"done"');
  });

  it('keeps snapshots unchanged when Task Master then rewrites tasks.json in place', async () => {
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } });
    const original = fs.readFileSync(project.tasksFile, 'utf8');
    const store = await openStore(project.root);
    await store.setStatus([1], 'done', { tag: 'master' });
    fs.writeFileSync(project.tasksFile, '{"master": {"tasks": []}}');
    const [snapshot] = await store.history.list();
    expect(fs.readFileSync(path.join(project.historyDir, `${snapshot!.id}.json`), 'utf8')).toBe(original);
  });

  it('turns a snapshot still linked to tasks.json (a writer died before its rename) into a copy on open', async () => {
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } });
    const original = fs.readFileSync(project.tasksFile, 'utf8');
    fs.mkdirSync(project.historyDir);
    const snapshot = path.join(project.historyDir, '2020-01-01T00-00-00.000Z-000.json');
    fs.linkSync(project.tasksFile, snapshot);
    await openStore(project.root);
    fs.writeFileSync(project.tasksFile, '{"master": {"tasks": []}}');
    expect(fs.readFileSync(snapshot, 'utf8')).toBe(original);
  });

  it('copies the old file where a hard link is impossible (history on another file system)', async () => {
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } });
    const original = fs.readFileSync(project.tasksFile, 'utf8');
    // A tmpfs mounted on the history folder: a link from the project's file system into it fails with
    // EXDEV. (A symlink to another file system is refused now, as any link under .taskmaster/ is.)
    const elsewhere = project.historyDir;
    fs.mkdirSync(elsewhere, { recursive: true });
    const mounted = process.getuid?.() === 0 ? spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', elsewhere], { encoding: 'utf8' }) : undefined;
    if (mounted?.status !== 0) {
      console.warn(`skipped the cross-file-system history check: cannot mount a tmpfs (${mounted ? mounted.stderr.trim() : 'needs root'})`);
      return;
    }
    try {
      const store = await openStore(project.root);
      await store.setStatus([1], 'done', { tag: 'master' });
      // The second write knows the file without its bytes in memory: the snapshot is copied from the file.
      const afterFirst = fs.readFileSync(project.tasksFile, 'utf8');
      await store.setStatus([1], 'review', { tag: 'master' });
      const snaps = await store.history.list();
      expect(snaps.map((s) => fs.readFileSync(path.join(elsewhere, `${s.id}.json`), 'utf8'))).toEqual([afterFirst, original]);
      for (const snap of snaps) expect(fs.statSync(path.join(elsewhere, `${snap.id}.json`)).nlink).toBe(1);
      expect(snaps[0]!.bytes).toBe(Buffer.byteLength(afterFirst));
    } finally {
      spawnSync('umount', ['-l', elsewhere]);
    }
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
