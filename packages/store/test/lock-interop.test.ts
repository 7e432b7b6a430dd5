import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import { cleanup, isSettled, rejectionOf, sleep, startChild, tempProject } from './helpers.js';

afterEach(cleanup);

const tryLock = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'try-lock.mjs');
const small = { master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } };
const statusOnDisk = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')).master.tasks[0].status;

describe("interoperating with Task Master's lock on tasks.json", () => {
  for (const mode of ['proper', 'mkdir', 'wx'] as const) {
    const form = { proper: 'a proper-lockfile directory', mkdir: 'a plain mkdir directory', wx: "a file opened with 'wx'" }[mode];
    it(`waits while another process holds ${form}, then writes`, async () => {
      const project = tempProject(small);
      const holder = startChild('lock-holder.mjs', [mode, project.tasksFile, project.lockFile]);
      await holder.waitFor(/^locked$/);
      const store = await openStore(project.root);
      const write = store.setStatus([1], 'done', { tag: 'master' });
      await sleep(300);
      expect(await isSettled(write)).toBe(false);
      expect(statusOnDisk(project.tasksFile)).toBe('pending');

      holder.send('release');
      await holder.waitFor(/^released$/);
      const result = await write;
      expect(result.written).toBe(true);
      expect(statusOnDisk(project.tasksFile)).toBe('done');
      expect(fs.existsSync(project.lockFile)).toBe(false);
    });
  }

  it("blocks Task Master while we hold the lock: its 'wx' open fails with EEXIST and proper-lockfile with ELOCKED", async () => {
    const project = tempProject(small);
    const store = await openStore(project.root);
    const seen: string[] = [];
    await store.transact(() => {
      for (const mode of ['wx', 'proper']) {
        const out = spawnSync(process.execPath, [tryLock, mode, project.tasksFile, project.lockFile], { encoding: 'utf8' });
        seen.push(out.stdout.trim());
      }
    });
    expect(seen).toEqual(['EEXIST', 'ELOCKED']);
  });

  it('gives up after the lock timeout with error 1005, writing nothing', async () => {
    const project = tempProject(small);
    const holder = startChild('lock-holder.mjs', ['wx', project.tasksFile, project.lockFile]);
    await holder.waitFor(/^locked$/);
    const store = await openStore(project.root, { lockTimeoutMs: 300 });
    const err = await rejectionOf(store.setStatus([1], 'done', { tag: 'master' }));
    expect(err.code).toBe(1005);
    expect(err.message).toMatch(/^tasks\.json is locked by another process \(/);
    expect(statusOnDisk(project.tasksFile)).toBe('pending');
  });

  it('takes over a lock directory left by a process that was killed, once it is stale', async () => {
    const project = tempProject(small);
    const holder = startChild('lock-holder.mjs', ['proper', project.tasksFile, project.lockFile]);
    await holder.waitFor(/^locked$/);
    holder.process.kill('SIGKILL');
    await holder.exited;
    expect(fs.statSync(project.lockFile).isDirectory()).toBe(true);
    const store = await openStore(project.root, { lockStaleMs: 2000, lockTimeoutMs: 8000 });
    const result = await store.setStatus([1], 'done', { tag: 'master' });
    expect(result.written).toBe(true);
    expect(statusOnDisk(project.tasksFile)).toBe('done');
  });

  it("takes over a stale 'wx' lock file, but not a fresh one", async () => {
    const project = tempProject(small);
    fs.writeFileSync(project.lockFile, '{}');
    const store = await openStore(project.root, { lockTimeoutMs: 300 });
    expect((await rejectionOf(store.setStatus([1], 'done', { tag: 'master' }))).code).toBe(1005);

    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(project.lockFile, past, past);
    await store.setStatus([1], 'done', { tag: 'master' });
    expect(statusOnDisk(project.tasksFile)).toBe('done');
    expect(fs.existsSync(project.lockFile)).toBe(false);
  });
});
