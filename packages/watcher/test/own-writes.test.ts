import { open, rename, writeFile } from 'node:fs/promises';
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

  /** Writes like the store does with an identity: the temp file's stat once written, noted before the rename. */
  async function ownWriteWithIdentity(data: ReturnType<typeof sampleFile>, hash = hashTasksFile(JSON.stringify(data, null, 2))) {
    const temp = `${project.file}.tmp-own`;
    const handle = await open(temp, 'w');
    await handle.writeFile(JSON.stringify(data, null, 2));
    const st = await handle.stat({ bigint: true });
    await handle.close();
    rec.watcher.noteOwnWrite(hash, data, Number(st.size), { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, racy: false });
    await rename(temp, project.file);
  }

  it('knows its own write by the identity noted with it, without reading it', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    const mine = clone(sampleFile());
    mine.master!.tasks[1]!.status = 'done';
    // A hash that is not the bytes': only the identity can tell the watcher this file is the noted write.
    await ownWriteWithIdentity(mine, 'not-the-hash-of-these-bytes');
    await waitFor(() => currentTasks(rec)?.[1]?.status === 'done');
    await quietFor();
    expect(rec.changes).toEqual([]);
  });

  it('reports an in-place rewrite of the same size made right after an own write noted by identity', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    const mine = clone(sampleFile());
    mine.master!.tasks[2]!.title = 'Mine';
    await ownWriteWithIdentity(mine);
    const theirs = clone(mine);
    theirs.master!.tasks[2]!.title = 'Your';
    // Same size, same inode, at once: only the modification time can tell.
    await writeFile(project.file, JSON.stringify(theirs, null, 2));
    await waitFor(() => currentTasks(rec)?.[2]?.title === 'Your');
    expect(rec.events().map((e) => e.event)).toEqual(['task.updated']);
  });

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
