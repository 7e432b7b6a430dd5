import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import { cleanup, isSettled, sleep, startChild, tempProject } from './helpers.js';

afterEach(cleanup);

const small = { master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } };
const statusOnDisk = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')).master.tasks[0].status;

/** A child that takes our lock inside a transaction and is SIGKILLed holding it. */
async function killedWhileHoldingTheLock(root: string): Promise<void> {
  const doomed = startChild('die-holding-lock.mjs', [root]);
  await doomed.waitFor(/^locked$/);
  doomed.process.kill('SIGKILL');
  await doomed.exited;
}

/** Makes the lock look as old as a dead holder's would after `ms` (instead of waiting). */
function age(lockFile: string, ms: number): void {
  const past = new Date(Date.now() - ms);
  fs.utimesSync(lockFile, past, past);
}

describe('a lock left by a writer that was SIGKILLed', () => {
  it('is taken over at once by the next write from another process (well under 1 s, not the 10 s stale time)', async () => {
    const project = tempProject(small);
    await killedWhileHoldingTheLock(project.root);
    expect(fs.statSync(project.lockFile).isDirectory()).toBe(true);
    const store = await openStore(project.root);
    const started = performance.now();
    const result = await store.setStatus([1], 'done', { tag: 'master' });
    const took = performance.now() - started;
    expect(result.written).toBe(true);
    expect(took).toBeLessThan(1000);
    expect(statusOnDisk(project.tasksFile)).toBe('done');
    // Our release leaves nothing behind: no lock, no owner record.
    expect(fs.existsSync(project.lockFile)).toBe(false);
    expect(fs.existsSync(`${project.lockFile}.owner`)).toBe(false);
  });

  it('is still taken over by Task Master (proper-lockfile, its options) once stale, and our release still works', async () => {
    const project = tempProject(small);
    await killedWhileHoldingTheLock(project.root);
    age(project.lockFile, 11_000);
    const taskMaster = startChild('task-master-lock.mjs', ['once', project.tasksFile]);
    expect(await taskMaster.waitFor(/^\w+$/)).toBe('acquired');
    const store = await openStore(project.root);
    await store.setStatus([1], 'done', { tag: 'master' });
    expect(fs.existsSync(project.lockFile)).toBe(false);
  });

  it("never takes over Task Master's live lock because of a dead writer's leftover record", async () => {
    const project = tempProject(small);
    await killedWhileHoldingTheLock(project.root);
    age(project.lockFile, 11_000);
    // Task Master takes the stale lock over and holds it, alive.
    const taskMaster = startChild('task-master-lock.mjs', ['hold', project.tasksFile]);
    await taskMaster.waitFor(/^locked$/);
    const store = await openStore(project.root);
    const write = store.setStatus([1], 'done', { tag: 'master' });
    await sleep(500);
    expect(await isSettled(write)).toBe(false);
    expect(statusOnDisk(project.tasksFile)).toBe('pending');
    taskMaster.send('release');
    await taskMaster.waitFor(/^released$/);
    await write;
    expect(statusOnDisk(project.tasksFile)).toBe('done');
  });

  it('is not taken over while its holder is alive', async () => {
    const project = tempProject(small);
    const holder = startChild('die-holding-lock.mjs', [project.root]);
    await holder.waitFor(/^locked$/);
    const store = await openStore(project.root, { lockTimeoutMs: 700 });
    const err = await store.setStatus([1], 'done', { tag: 'master' }).catch((e: { code: number }) => e);
    expect(err).toMatchObject({ code: 1005 });
    expect(statusOnDisk(project.tasksFile)).toBe('pending');
  });

  it('recognises a reused pid by its start time: a live process that started later is not the holder', async () => {
    const project = tempProject(small);
    await killedWhileHoldingTheLock(project.root);
    const ownerFile = `${project.lockFile}.owner`;
    const record = JSON.parse(fs.readFileSync(ownerFile, 'utf8'));
    // A live process now has some pid; pretend the dead holder had it.
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const startTime = fs.readFileSync(`/proc/${other.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
      // Same pid, same start time: that process holds it, alive, so we wait.
      fs.writeFileSync(ownerFile, JSON.stringify({ ...record, pid: other.pid, startTime }));
      const store = await openStore(project.root, { lockTimeoutMs: 500 });
      await expect(store.setStatus([1], 'done', { tag: 'master' })).rejects.toMatchObject({ code: 1005 });
      // Same pid, another start time: the pid was reused, the holder is dead.
      fs.writeFileSync(ownerFile, JSON.stringify({ ...record, pid: other.pid, startTime: '1' }));
      const started = performance.now();
      await store.setStatus([1], 'done', { tag: 'master' });
      expect(performance.now() - started).toBeLessThan(1000);
      expect(statusOnDisk(project.tasksFile)).toBe('done');
    } finally {
      other.kill('SIGKILL');
    }
  });

  it("keeps its record beside the lock, not in it: Task Master's stale rule (rmdir) fails on a lock directory holding a file", async () => {
    const project = tempProject(small);
    fs.mkdirSync(project.lockFile);
    fs.writeFileSync(`${project.lockFile}/owner`, '{}');
    age(project.lockFile, 11_000);
    const taskMaster = startChild('task-master-lock.mjs', ['once', project.tasksFile]);
    expect(await taskMaster.waitFor(/^\w+$/)).toBe('ENOTEMPTY');
  });
});
