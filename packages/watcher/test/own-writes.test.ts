import { rename, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { hashTasksFile } from '../src/index.js';
import { clone, currentTasks, makeProject, quietFor, renameWriteFromChild, sampleFile, startWatching, task, waitFor, type Project, type Recorded } from './helpers.js';

describe('noteOwnWrite', () => {
  let project: Project;
  let rec: Recorded;
  afterEach(async () => {
    await rec?.watcher.close();
    await project?.cleanup();
  });

  /** Writes like the store does: note the hash, then rename the temp file over tasks.json. */
  async function ownWrite(data: ReturnType<typeof sampleFile>) {
    const text = JSON.stringify(data, null, 2);
    rec.watcher.noteOwnWrite(hashTasksFile(text), data);
    await writeFile(`${project.file}.tmp-own`, text);
    await rename(`${project.file}.tmp-own`, project.file);
  }

  it('does not echo a write whose hash was noted, and takes it as the new baseline', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    const mine = clone(sampleFile());
    mine.master!.tasks[1]!.status = 'done';
    await ownWrite(mine);

    await waitFor(() => currentTasks(rec)?.[1]?.status === 'done');
    await quietFor();
    expect(rec.changes).toEqual([]);
    expect(rec.watcher.current()!.data).toEqual(mine);
  });

  it('reports an external write right after an own write with its own events only', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    const mine = clone(sampleFile());
    mine.master!.tasks[1]!.status = 'done';
    await ownWrite(mine);
    await waitFor(() => currentTasks(rec)?.[1]?.status === 'done');

    const theirs = clone(mine);
    theirs.master!.tasks.push(task(6));
    await renameWriteFromChild(project.file, theirs);

    await waitFor(() => rec.changes.length === 1);
    await quietFor();
    expect(rec.changes).toHaveLength(1);
    expect(rec.events()).toEqual([{ event: 'task.created', payload: { tag: 'master', id: '6', task: task(6) } }]);
  });

  it('still reports a write whose bytes differ from the noted ones', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    const mine = clone(sampleFile());
    mine.master!.tasks[2]!.title = 'Mine';
    rec.watcher.noteOwnWrite(hashTasksFile(JSON.stringify(mine, null, 2)), mine);
    const theirs = clone(sampleFile());
    theirs.master!.tasks[2]!.title = 'Theirs';
    await renameWriteFromChild(project.file, theirs);

    await waitFor(() => rec.changes.length === 1);
    expect(rec.events()).toMatchObject([{ event: 'task.updated', payload: { id: '3', task: { title: 'Theirs' } } }]);
  });
});
