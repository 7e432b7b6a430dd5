import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, storePaths } from '../src/index.js';
import { cleanup, filesIn, rejectionOf, tempProject } from './helpers.js';

afterEach(cleanup);

const small = { master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } };
const modeOf = (file: string) => fs.statSync(file).mode & 0o7777;

describe("tasks.json's mode and owner", () => {
  it('keeps a 0600 tasks.json 0600 through writes and restores', async () => {
    const project = tempProject(small);
    fs.chmodSync(project.tasksFile, 0o600);
    const store = await openStore(project.root);
    await store.setStatus([1], 'done', { tag: 'master' });
    expect(modeOf(project.tasksFile)).toBe(0o600);
    const [snapshot] = await store.history.list();
    await store.history.restore(snapshot!.id);
    expect(modeOf(project.tasksFile)).toBe(0o600);
    fs.chmodSync(project.tasksFile, 0o640);
    await store.setStatus([1], 'review', { tag: 'master' });
    expect(modeOf(project.tasksFile)).toBe(0o640);
  });

  it("keeps the file's owner and group", async () => {
    const project = tempProject(small);
    fs.chownSync(project.tasksFile, 1234, 5678);
    const store = await openStore(project.root);
    await store.setStatus([1], 'done', { tag: 'master' });
    const st = fs.statSync(project.tasksFile);
    // As root the owner can be kept; as another user chown is refused and ignored.
    if (process.getuid?.() === 0) expect([st.uid, st.gid]).toEqual([1234, 5678]);
    else expect(st.uid).toBe(process.getuid?.());
  });

  it('refuses to replace a tasks.json with no write permission (0444) with 1005, even as root', async () => {
    const project = tempProject(small);
    const before = fs.readFileSync(project.tasksFile, 'utf8');
    fs.chmodSync(project.tasksFile, 0o444);
    const store = await openStore(project.root);
    const err = await rejectionOf(store.setStatus([1], 'done', { tag: 'master' }));
    expect(err.code).toBe(1005);
    expect(err.message).toBe('tasks.json is read-only (mode 0444); nothing was written; make it writable to allow changes');
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(before);
    expect(modeOf(project.tasksFile)).toBe(0o444);
    expect(filesIn(project.historyDir)).toEqual([]);
    expect(fs.existsSync(storePaths(project.root).stagingDir)).toBe(false);
    // Reads still work.
    expect((await store.read()).data).toEqual(small);
  });
});
