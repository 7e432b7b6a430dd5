import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { identityOf, sameIdentity, timestampGranularity } from '../src/file-identity.js';
import { openStore } from '../src/index.js';
import { cleanup, tempProject } from './helpers.js';

afterEach(cleanup);

const threeTasks = () => ({ master: { tasks: [1, 2, 3].map((id) => ({ id, title: `Task ${id}`, status: 'pending' })) } });

function titleOf(file: string, id: number): string {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { master: { tasks: Array<{ id: number; title: string }> } };
  return data.master.tasks.find((t) => t.id === id)!.title;
}

describe('the unchanged-file proof by identity (stat, not bytes)', () => {
  it('sees an outside in-place rewrite of the same size made right after our write, and keeps it', async () => {
    const project = tempProject(threeTasks());
    const store = await openStore(project.root);
    for (let round = 0; round < 50; round++) {
      await store.update(1, { title: `ours ${String(round).padStart(3, '0')}` });
      // Same length, same inode (writeFileSync truncates and rewrites in place), within the same millisecond or so.
      const text = fs.readFileSync(project.tasksFile, 'utf8').replace(/"Task 2[^"]*"/, (m) => `"${'T'.repeat(m.length - 2)}"`);
      fs.writeFileSync(project.tasksFile, text);
      await store.update(3, { title: `ours again ${round}` });
      expect(titleOf(project.tasksFile, 2), `round ${round}`).toMatch(/^T+$/);
      expect(titleOf(project.tasksFile, 1)).toBe(`ours ${String(round).padStart(3, '0')}`);
      fs.writeFileSync(project.tasksFile, fs.readFileSync(project.tasksFile, 'utf8').replace(/"T+"/, '"Task 2"'));
    }
  });

  it('sees a rename-replace of the same size and modification time as a change', async () => {
    const project = tempProject(threeTasks());
    const store = await openStore(project.root);
    await store.update(1, { title: 'ours' });
    const before = fs.statSync(project.tasksFile, { bigint: true });
    const text = fs.readFileSync(project.tasksFile, 'utf8').replace('"ours"', '"mine"');
    fs.writeFileSync(`${project.tasksFile}.new`, text);
    // The same mtime as the file it replaces: its inode and ctime tell them apart.
    fs.utimesSync(`${project.tasksFile}.new`, before.atime, before.mtime);
    fs.renameSync(`${project.tasksFile}.new`, project.tasksFile);
    await store.update(2, { title: 'second' });
    expect(titleOf(project.tasksFile, 1)).toBe('mine');
  });

  it('marks an identity racy when the clock is coarse and the file changed within its step, and not otherwise', () => {
    const st = fs.statSync(tempProject(threeTasks()).tasksFile, { bigint: true });
    const changed = st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs;
    expect(identityOf(st, 25_000_000n, changed + 10_000_000n).racy).toBe(true);
    expect(identityOf(st, 25_000_000n, changed + 30_000_000n).racy).toBe(false);
    expect(identityOf(st, 0n, changed + 1n).racy).toBe(false);
    // A fine clock's stamp is ahead of a wall clock read in whole milliseconds: no racy window all the same.
    expect(identityOf(st, 0n, changed - 900_000n).racy).toBe(false);
    expect(sameIdentity(identityOf(st, 0n), st)).toBe(true);
    expect(sameIdentity(identityOf(st, 0n), { ...st, size: st.size + 1n })).toBe(false);
  });

  it('finds the file system clock step of a folder (0 or the coarse step) and leaves no file behind', async () => {
    const project = tempProject();
    const dir = `${project.root}/.taskmaster/tasks`;
    const names = fs.readdirSync(dir);
    expect([0n, 25_000_000n]).toContain(await timestampGranularity(dir));
    expect(fs.readdirSync(dir)).toEqual(names);
  });
});
