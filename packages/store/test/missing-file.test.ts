import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import { cleanup, filesIn, FIXTURE_TEXT, rejectionOf, sleep, tempProject } from './helpers.js';

afterEach(cleanup);

const taskCount = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')).master.tasks.length;

describe('a tasks.json that is briefly or for good missing', () => {
  it('waits for a file deleted and put back 300 ms later (a git checkout): the write lands on the restored content', async () => {
    const project = tempProject(FIXTURE_TEXT);
    const before = taskCount(project.tasksFile);
    const store = await openStore(project.root);
    await store.read();
    fs.rmSync(project.tasksFile);
    const putBack = sleep(300).then(() => fs.writeFileSync(project.tasksFile, FIXTURE_TEXT));
    const { value } = await store.create({ title: 'written during the checkout' }, { tag: 'master' });
    await putBack;
    expect(taskCount(project.tasksFile)).toBe(before + 1);
    expect(value.task.title).toBe('written during the checkout');
  });

  it('refuses a write with 1005 when a file it has seen stays missing, creating nothing', async () => {
    const project = tempProject(FIXTURE_TEXT);
    const store = await openStore(project.root, { missingWaitMs: 300 });
    await store.read();
    fs.rmSync(project.tasksFile);
    const started = Date.now();
    const err = await rejectionOf(store.create({ title: 'would be the only task' }, { tag: 'master' }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(err.code).toBe(1005);
    expect(err.message).toMatch(/^tasks\.json is missing/);
    expect(err.message).toMatch(/nothing was written/);
    expect(err.message).toMatch(/history restore/);
    expect(fs.existsSync(project.tasksFile)).toBe(false);
    expect(filesIn(project.historyDir)).toEqual([]);
    // Reads refuse too rather than report an empty project.
    expect((await rejectionOf(store.read())).code).toBe(1005);
  });

  it('still lets the store of a brand-new project create tasks.json on its first write, and read it as empty before', async () => {
    const project = tempProject();
    const store = await openStore(project.root, { missingWaitMs: 100 });
    expect((await store.read()).data).toMatchObject({ master: { tasks: [] } });
    await store.create({ title: 'first' }, { tag: 'master' });
    expect(taskCount(project.tasksFile)).toBe(1);
  });

  it('restores a snapshot even when tasks.json is missing (the recovery the message points to)', async () => {
    const project = tempProject(FIXTURE_TEXT);
    const store = await openStore(project.root, { missingWaitMs: 100 });
    await store.update(1, { title: 'changed before the loss' }, { tag: 'master' });
    const [snapshot] = await store.history.list();
    fs.rmSync(project.tasksFile);
    await store.history.restore(snapshot!.id);
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(FIXTURE_TEXT);
  });
});
