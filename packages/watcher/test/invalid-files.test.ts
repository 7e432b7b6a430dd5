import { readFile, stat, writeFile } from 'node:fs/promises';
import { ErrorCode } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { clone, makeProject, quietFor, renameWriteFromChild, sampleFile, startWatching, task, waitFor, type Project, type Recorded } from './helpers.js';

describe('half-written and invalid files', () => {
  let project: Project;
  let rec: Recorded;
  afterEach(async () => {
    await rec?.watcher.close();
    await project?.cleanup();
  });

  it('waits out a half-written file that is completed within settleMs', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    const next = clone(sampleFile());
    next.master!.tasks.push(task(6));
    const text = JSON.stringify(next, null, 2);
    await writeFile(project.file, text.slice(0, text.length / 2));
    await new Promise((r) => setTimeout(r, 80)); // long enough for the watcher to read the half
    await writeFile(project.file, text);

    await waitFor(() => rec.changes.length === 1);
    await quietFor(400);
    expect(rec.problems).toEqual([]);
    expect(rec.changes).toHaveLength(1);
    expect(rec.events()).toEqual([{ event: 'task.created', payload: { tag: 'master', id: '6', task: task(6) } }]);
  });

  it('reports an invalid file left in place once, with its line and column, and keeps the last good state', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    const good = rec.watcher.current();
    const broken = '{\n  "master": {\n    "tasks": [\n      { "id": 1, "title": "One" }\n      { "id": 2 }\n';
    await writeFile(project.file, broken);
    const before = await stat(project.file);

    await waitFor(() => rec.problems.length === 1);
    await quietFor(400);
    expect(rec.problems).toEqual([
      expect.objectContaining({ path: project.file, code: ErrorCode.ParseError, line: 5, column: 7 }),
    ]);
    expect(rec.problems[0]!.message).toMatch(/line 5, column 7/);
    expect(rec.changes).toEqual([]);
    expect(rec.watcher.current()).toEqual(good);
    expect(await readFile(project.file, 'utf8')).toBe(broken);
    expect((await stat(project.file)).mtimeMs).toBe(before.mtimeMs);

    const next = clone(sampleFile());
    next.master!.tasks[0]!.status = 'review';
    await renameWriteFromChild(project.file, next);
    await waitFor(() => rec.changes.length === 1);
    expect(rec.events()).toEqual([
      { event: 'task.updated', payload: { tag: 'master', id: '1', task: next.master!.tasks[0], changed: ['status'] } },
      { event: 'task.status.changed', payload: { tag: 'master', id: '1', from: 'done', to: 'review' } },
    ]);
  });

  it('reports a file that is JSON but not a tasks file, naming the field', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    // A list holding something other than tasks: no tag to set aside (see broken-tags.test.ts), the file is bad.
    const bad = clone(sampleFile()) as unknown as { master: { tasks: unknown[] } };
    bad.master.tasks[2] = 'not a task';
    await writeFile(project.file, JSON.stringify(bad, null, 2));

    await waitFor(() => rec.problems.length === 1);
    expect(rec.problems[0]).toMatchObject({ code: ErrorCode.InvalidParams });
    expect(rec.problems[0]!.message).toContain('master.tasks[2]');
    expect(rec.changes).toEqual([]);
  });

  it('reports again only when the file turns into another bad state', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    await writeFile(project.file, '{ "master": ');
    await waitFor(() => rec.problems.length === 1);
    await writeFile(project.file, '[1, 2,, 3]');
    await waitFor(() => rec.problems.length === 2);
    await quietFor(400);
    expect(rec.problems.map((p) => [p.code, p.line, p.column])).toEqual([
      [ErrorCode.ParseError, 1, 13],
      [ErrorCode.ParseError, 1, 7],
    ]);
    expect(rec.problems[0]!.message).toMatch(/end of input/);
    expect(rec.changes).toEqual([]);
  });

  it('never puts file contents in a problem message', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    await writeFile(project.file, '{ "master": { "tasks": [ { "title": "secret-plan" } } }');
    await waitFor(() => rec.problems.length === 1);
    expect(rec.problems[0]!.message).not.toContain('secret-plan');
  });
});
