import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FIELD_BYTES, openStore } from '../src/index.js';
import { cleanup, filesIn, rejectionOf, tempFilesLeft, tempProject } from './helpers.js';

afterEach(cleanup);

const small = { master: { tasks: [{ id: 1, title: 'one', status: 'pending', subtasks: [{ id: 1, title: 'sub' }] }] } };

describe('one size limit for reading and writing', () => {
  it('refuses a transaction whose result would exceed maxBytes with -32602 giving both sizes, writing nothing', async () => {
    const project = tempProject(small);
    const before = fs.readFileSync(project.tasksFile, 'utf8');
    const maxBytes = 200_000;
    const store = await openStore(project.root, { maxBytes });
    // Each under the field limit, together over the file limit.
    const details = 'x'.repeat(60_000);
    await store.update(1, { details }, { tag: 'master' });
    await store.create({ title: 'two', details }, { tag: 'master' });
    const grown = fs.readFileSync(project.tasksFile, 'utf8');
    const err = await rejectionOf(store.create({ title: 'three', details: details + details }, { tag: 'master' }));
    expect(err.code).toBe(-32602);
    expect(err.message).toMatch(/^the change would make tasks\.json [\d.]+ (KB|MB), over the [\d.]+ (KB|MB) limit/);
    expect(err.message).toMatch(/nothing was written/);
    expect(err.data).toEqual({ bytes: expect.any(Number), maxBytes });
    expect(err.data.bytes).toBeGreaterThan(maxBytes);
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(grown);
    // Once the snapshots are settled (compressed in the background, their descriptions folded in).
    await store.history.list();
    expect(filesIn(project.historyDir)).toHaveLength(2);
    expect(filesIn(project.historyDir).some((n) => n.endsWith('.tmp'))).toBe(false);
    expect(tempFilesLeft(project.root)).toEqual([]);
    // The file we can still read is never one we could not: the store reads back what it wrote.
    expect((await store.read()).bytes).toBeLessThanOrEqual(maxBytes);
    expect(before).not.toBe(grown);
  });

  it('refuses any string field of a changed task over maxFieldBytes, naming the task and field', async () => {
    const project = tempProject(small);
    const before = fs.readFileSync(project.tasksFile, 'utf8');
    const store = await openStore(project.root, { maxFieldBytes: 1000 });
    const big = 'y'.repeat(1001);
    const update = await rejectionOf(store.update(1, { details: big }, { tag: 'master' }));
    expect(update.code).toBe(-32602);
    expect(update.message).toMatch(/^task 1: details is 1001 bytes, over the 1000-byte limit/);
    const sub = await rejectionOf(store.update('1.1', { testStrategy: big }, { tag: 'master' }));
    expect(sub.code).toBe(-32602);
    expect(sub.message).toMatch(/^task 1\.1: testStrategy is 1001 bytes/);
    const created = await rejectionOf(store.create({ title: big }, { tag: 'master' }));
    expect(created.message).toMatch(/^task 2: title is 1001 bytes/);
    expect(created.data).toMatchObject({ id: '2', field: 'title', bytes: 1001, maxFieldBytes: 1000 });
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(before);
  });

  it('checks only what changed: a file already holding a big field can still be edited elsewhere', async () => {
    const huge = 'z'.repeat(5000);
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'one', details: huge }, { id: 2, title: 'two' }] } });
    const store = await openStore(project.root, { maxFieldBytes: 1000 });
    await expect(store.setStatus([2], 'done', { tag: 'master' })).resolves.toMatchObject({ written: true });
    expect(DEFAULT_MAX_FIELD_BYTES).toBe(1024 * 1024);
  });
});
