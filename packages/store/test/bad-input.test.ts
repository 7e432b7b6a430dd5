import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import { cleanup, filesIn, FIXTURE_TEXT, rejectionOf, startChild, tempProject } from './helpers.js';

afterEach(cleanup);

/** Every way a caller can hit the file: each must fail the same way. */
/** Every way in, each started when it is awaited: a call failing before its turn would be an unhandled rejection. */
async function everyAccess(root: string, options = {}) {
  const store = await openStore(root, options);
  return [
    () => store.read(),
    () => store.transact(() => undefined, { force: true }),
    () => store.setStatus([1], 'done', { tag: 'master' }),
    () => store.create({ title: 'x' }, { tag: 'master' }),
  ];
}

describe('a tasks.json that is not valid JSON', () => {
  it('is reported with line and column and never overwritten', async () => {
    const truncated = FIXTURE_TEXT.slice(0, 300_000);
    const project = tempProject(truncated);
    const lines = truncated.split('\n');
    for (const call of await everyAccess(project.root)) {
      const err = await rejectionOf(call());
      expect(err.code).toBe(-32700);
      expect(err.message).toMatch(/^tasks\.json is not valid JSON at line \d+, column \d+: /);
      // Truncated input ends mid-way: the error points at the end of the text.
      expect(err.data).toEqual({ line: lines.length, column: lines.at(-1)!.length + 1 });
    }
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(truncated);
    expect(filesIn(project.historyDir)).toEqual([]);
  });

  it('points at a stray character and does not quote the file', async () => {
    const project = tempProject('{\n  "master": {\n    "tasks": [}\n  }\n}');
    const err = await rejectionOf((await openStore(project.root)).read());
    expect(err.data).toEqual({ line: 3, column: 15 });
    expect(err.message).toBe("tasks.json is not valid JSON at line 3, column 15: unexpected '}'");
  });
});

describe('a tasks.json with the wrong shape', () => {
  it('sets the tag aside (by task and field), refuses changes to it, and never overwrites it', async () => {
    const data = JSON.parse(FIXTURE_TEXT);
    data.master.tasks[3].title = 42;
    const text = JSON.stringify(data, null, 2);
    const project = tempProject(text);
    const store = await openStore(project.root);
    const id = String(data.master.tasks[3].id);
    expect((await store.read()).brokenTags).toEqual([{ tag: 'master', taskId: id, taskIndex: 3, field: 'title', problem: 'expected string, received number', count: 1 }]);
    // Each call starts when it is awaited: one that fails before the loop reaches it would be an unhandled rejection.
    for (const call of [() => store.list({ tag: 'master' }), () => store.setStatus([1], 'deferred', { tag: 'master' }), () => store.create({ title: 'x' }, { tag: 'master' })]) {
      const err = await rejectionOf(call());
      expect(err.code).toBe(-32602);
      expect(err.message).toMatch(new RegExp(`^tasks\\.json is invalid in tag master, task ${id}, field title: expected string, received number — .*taskmaster history restore`));
      expect(err.data).toMatchObject({ reason: 'broken-tag', tag: 'master', taskId: id, field: 'title' });
    }
    // Other tags work, and a write to one of them puts master back as it was.
    expect((await store.list({ tag: 'test-tag' })).tasks.length).toBeGreaterThan(0);
    await store.transact(() => undefined, { force: true });
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(text);
  });

  it('fixes a broken tag by a change that leaves it valid, and only then', async () => {
    const data = JSON.parse(FIXTURE_TEXT);
    data['test-tag'].tasks[0].title = null;
    const project = tempProject(JSON.stringify(data, null, 2));
    const store = await openStore(project.root);
    const err = await rejectionOf(store.transact((d: any) => void (d['test-tag'].tasks[0].status = 'done')));
    expect(err.message).toMatch(/tag test-tag, task \d+, field title: expected string, received null/);
    await store.transact((d: any) => void (d['test-tag'].tasks[0].title = 'named again'));
    expect((await store.read()).brokenTags).toEqual([]);
    expect((await store.list({ tag: 'test-tag' })).tasks[0]!.title).toBe('named again');
  });

  it('lets a merge (brokenTagsStay) change a broken tag and leave it broken, still checking every other tag', async () => {
    const data = JSON.parse(FIXTURE_TEXT);
    data['test-tag'].tasks[0].title = null;
    const project = tempProject(JSON.stringify(data, null, 2));
    const store = await openStore(project.root);
    const ours = (d: any) => void (d['test-tag'].tasks[0].details = 'ours, kept in the broken tag');
    expect((await rejectionOf(store.transact(ours))).message).toMatch(/tag test-tag, task \d+, field title/);
    await store.transact(ours, { brokenTagsStay: true });
    const onDisk = JSON.parse(fs.readFileSync(project.tasksFile, 'utf8'));
    expect(onDisk['test-tag'].tasks[0]).toMatchObject({ title: null, details: 'ours, kept in the broken tag' });
    // Still known as broken, by the same problem.
    const { brokenTags } = await store.read();
    expect(brokenTags).toMatchObject([{ tag: 'test-tag', field: 'title', problem: 'expected string, received null' }]);
    // The other tags are checked as ever.
    const other = await rejectionOf(store.transact((d: any) => void (d.master.tasks[0].title = 7), { brokenTagsStay: true }));
    expect(other.message).toMatch(/master\.tasks\[0\]\.title/);
  });

  it('refuses a transaction that would make the file invalid', async () => {
    const project = tempProject(FIXTURE_TEXT);
    const store = await openStore(project.root);
    const err = await rejectionOf(
      store.transact((d: any) => {
        d.master.tasks[0].subtasks = 'none';
      }),
    );
    expect(err.code).toBe(-32602);
    expect(err.message).toContain('master.tasks[0].subtasks');
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(FIXTURE_TEXT);
  });
});

describe('a 50 MB tasks.json', () => {
  /** About 50 MB of tasks whose titles are numbers: valid JSON, wrong shape. */
  function fiftyMegabytes(): string {
    const details = 'x'.repeat(1000);
    const tasks = Array.from({ length: 48_000 }, (_, i) => ({ id: i + 1, title: i, details }));
    return JSON.stringify({ master: { tasks } }, null, 2);
  }

  it('with the wrong shape gives a clear error and is left untouched', async () => {
    const text = fiftyMegabytes();
    expect(text.length).toBeGreaterThan(50_000_000);
    const project = tempProject(text);
    const before = fs.statSync(project.tasksFile);
    const store = await openStore(project.root);
    const err = await rejectionOf(store.setStatus([1], 'done', { tag: 'master' }));
    expect(err.code).toBe(-32602);
    expect(err.message).toMatch(/^tasks\.json is invalid in tag master, task \d+, field title: expected string, received number \(and \d+ more problems\) — /);
    const after = fs.statSync(project.tasksFile);
    expect([after.ino, after.size, after.mtimeMs]).toEqual([before.ino, before.size, before.mtimeMs]);
  });

  it('over the size limit is refused with 1005 giving its size, and left untouched', async () => {
    const project = tempProject(fiftyMegabytes());
    const before = fs.statSync(project.tasksFile);
    for (const call of await everyAccess(project.root, { maxBytes: 32 * 1024 * 1024 })) {
      const err = await rejectionOf(call());
      expect(err.code).toBe(1005);
      expect(err.message).toMatch(/^tasks\.json is 4\d\.\d MB, over the 32\.0 MB limit/);
    }
    const after = fs.statSync(project.tasksFile);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });
});

describe('files the user may not write', () => {
  // Root ignores file modes, so the store runs in a child that respects them.
  async function runRespectingModes(root: string, op: 'read' | 'update') {
    const child = startChild('store-call.mjs', [root, op], { respectFileModes: true });
    const line = await child.waitFor(/^\{/);
    return JSON.parse(line) as { ok: boolean; code?: number; message?: string };
  }

  function lockDown(tasksFile: string) {
    // The tasks folder and file not writable.
    fs.chmodSync(path.dirname(tasksFile), 0o555);
    fs.chmodSync(tasksFile, 0o444);
  }

  it('reports a read-only tasks.json and folder (chmod 444/555) as 1005, file untouched', async () => {
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'one' }] } });
    const before = fs.readFileSync(project.tasksFile, 'utf8');
    lockDown(project.tasksFile);
    try {
      const read = await runRespectingModes(project.root, 'read');
      expect(read.ok).toBe(true);
      const write = await runRespectingModes(project.root, 'update');
      expect(write).toMatchObject({ ok: false, code: 1005 });
      expect(write.message).toMatch(/^cannot lock tasks\.json with \.taskmaster\/tasks\/tasks\.json\.lock: permission denied \(EACCES\); check the owner and mode of the file and of its folder, then try again$/);
      expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(before);
    } finally {
      fs.chmodSync(path.dirname(project.tasksFile), 0o755);
    }
  });

  it('reports an unreadable tasks.json (chmod 000) as 1005 naming the file', async () => {
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'one' }] } });
    lockDown(project.tasksFile);
    fs.chmodSync(project.tasksFile, 0o000);
    try {
      const read = await runRespectingModes(project.root, 'read');
      expect(read).toMatchObject({ ok: false, code: 1005, message: 'cannot read tasks.json: permission denied (EACCES); check the owner and mode of the file and of its folder, then try again' });
    } finally {
      fs.chmodSync(path.dirname(project.tasksFile), 0o755);
    }
  });
});
