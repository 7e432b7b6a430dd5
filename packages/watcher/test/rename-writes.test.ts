import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TaggedTasksFile } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clone,
  FIXTURE,
  makeProject,
  quietFor,
  renameWriteFromChild,
  sampleFile,
  startWatching,
  task,
  waitFor,
  type Project,
  type Recorded,
} from './helpers.js';

describe('rename-writes by another process', () => {
  let project: Project;
  let rec: Recorded;
  afterEach(async () => {
    await rec?.watcher.close();
    await project?.cleanup();
  });

  it('sees a write-temp-then-rename edit', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    const next = clone(sampleFile());
    next.master!.tasks[3]!.priority = 'high';
    await renameWriteFromChild(project.file, next);

    await waitFor(() => rec.changes.length === 1);
    await quietFor();
    expect(rec.changes).toHaveLength(1);
    expect(rec.events()).toEqual([
      { event: 'task.updated', payload: { tag: 'master', id: '4', task: next.master!.tasks[3], changed: ['priority'] } },
    ]);
  });

  it('keeps seeing the second and third rename-writes', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    const next = clone(sampleFile());
    for (const id of [6, 7, 8]) {
      next.master!.tasks.push(task(id));
      await renameWriteFromChild(project.file, next);
      await waitFor(() => rec.changes.length === id - 5, 3000, `the rename-write that adds task ${id}`);
      expect(rec.changes.at(-1)!.changes).toEqual([{ event: 'task.created', payload: { tag: 'master', id: String(id), task: task(id) } }]);
    }
    expect(rec.watcher.current()?.data).toEqual(next);
  });

  it('ignores the lock file, temp files and history snapshots', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    const dir = dirname(project.file);
    await writeFile(`${project.file}.lock`, String(process.pid));
    await writeFile(`${project.file}.tmp-123`, 'not json yet');
    await mkdir(join(dir, 'history'));
    await writeFile(join(dir, 'history', 'snapshot.json'), JSON.stringify({ master: { tasks: [] } }));
    await quietFor();
    expect(rec.changes).toEqual([]);
    expect(rec.problems).toEqual([]);
  });

  it('turns a rename-edit of the real Task Master file into its single event', async () => {
    project = await makeProject();
    await writeFile(project.file, await readFile(FIXTURE));
    rec = await startWatching(project.file);
    const data = JSON.parse(await readFile(FIXTURE, 'utf8')) as TaggedTasksFile;
    const [tag, tagData] = Object.entries(data).find(([, t]) => t.tasks.some((x) => x.status !== 'done'))!;
    const target = tagData.tasks.find((x) => x.status !== 'done')!;
    const from = target.status;
    target.status = 'done';
    await renameWriteFromChild(project.file, data);

    await waitFor(() => rec.changes.length === 1);
    await quietFor();
    expect(rec.changes).toHaveLength(1);
    expect(rec.events()).toEqual([
      { event: 'task.updated', payload: { tag, id: String(target.id), task: target, changed: ['status'] } },
      { event: 'task.status.changed', payload: { tag, id: String(target.id), from, to: 'done' } },
    ]);
    expect(rec.problems).toEqual([]);
  });
});
