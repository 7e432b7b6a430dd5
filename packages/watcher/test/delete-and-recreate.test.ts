import { readFile, rm, writeFile } from 'node:fs/promises';
import { ErrorCode } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { clone, makeProject, quietFor, renameWriteFromChild, sampleFile, startWatching, waitFor, type Project, type Recorded } from './helpers.js';

describe('deleting and recreating tasks.json', () => {
  let project: Project;
  let rec: Recorded;
  afterEach(async () => {
    await rec?.watcher.close();
    await project?.cleanup();
  });

  it('reports a removal once, keeps the last good state, and diffs against it when the file is back', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    const good = rec.watcher.current();
    await rm(project.file);

    await waitFor(() => rec.problems.length === 1);
    await quietFor(400);
    expect(rec.problems).toEqual([expect.objectContaining({ path: project.file, code: ErrorCode.FileAccessDenied })]);
    expect(rec.problems[0]!.message).toMatch(/tasks\.json was removed/);
    expect(rec.watcher.current()).toEqual(good);
    expect(rec.changes).toEqual([]);
    expect(rec.recovered).toBe(0);

    const next = clone(sampleFile());
    next.master!.tasks.splice(3, 1);
    await writeFile(project.file, JSON.stringify(next, null, 2));
    await waitFor(() => rec.changes.length === 1);
    expect(rec.events()).toEqual([{ event: 'task.deleted', payload: { tag: 'master', id: '4' } }]);

    // And the watch survives: a later rename-write is still seen.
    next.master!.tasks[0]!.title = 'After the comeback';
    await renameWriteFromChild(project.file, next);
    await waitFor(() => rec.changes.length === 2);
    expect(rec.changes[1]!.changes).toMatchObject([{ event: 'task.updated', payload: { id: '1', changed: ['title'] } }]);
  });

  it('reports the file put back as it was: no change, but the problem is over', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    const bytes = await readFile(project.file);
    // Removed, then broken in place (not JSON): each put back as it was, each reported recovered once.
    const breakings = [() => rm(project.file), () => writeFile(project.file, '{"master": ')];
    for (const [i, breakIt] of breakings.entries()) {
      await breakIt();
      await waitFor(() => rec.problems.length === i + 1);
      await writeFile(project.file, bytes);
      await waitFor(() => rec.recovered === i + 1);
      await quietFor(300);
      expect(rec.recovered).toBe(i + 1);
      expect(rec.changes).toEqual([]);
    }
  });

  it('reports nothing when a writer deletes and recreates the file quickly', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    const next = clone(sampleFile());
    next.feature!.tasks[0]!.status = 'done';
    await rm(project.file);
    await writeFile(project.file, JSON.stringify(next, null, 2));

    await waitFor(() => rec.changes.length === 1);
    await quietFor(400);
    expect(rec.problems).toEqual([]);
    expect(rec.changes).toHaveLength(1);
    expect(rec.events().map((e) => [e.event, e.payload.tag, e.payload.id])).toEqual([
      ['task.updated', 'feature', '1'],
      ['task.status.changed', 'feature', '1'],
    ]);
  });
});
