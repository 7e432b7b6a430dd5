import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { clone, makeProject, quietFor, sampleFile, startWatching, task, waitFor, type Project, type Recorded } from './helpers.js';

describe('in-place edits (fs.writeFile)', () => {
  let project: Project;
  let rec: Recorded;
  afterEach(async () => {
    await rec?.watcher.close();
    await project?.cleanup();
  });

  async function start() {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
  }

  it('reports a status change as task.updated and task.status.changed, once', async () => {
    await start();
    const next = clone(sampleFile());
    next.master!.tasks[1]!.status = 'in-progress';
    await writeFile(project.file, JSON.stringify(next, null, 2));

    await waitFor(() => rec.changes.length === 1);
    await quietFor();
    expect(rec.changes).toHaveLength(1);
    expect(rec.changes[0]!.path).toBe(project.file);
    expect(rec.changes[0]!.data).toEqual(next);
    expect(rec.events()).toEqual([
      { event: 'task.updated', payload: { tag: 'master', id: '2', task: next.master!.tasks[1], changed: ['status'] } },
      { event: 'task.status.changed', payload: { tag: 'master', id: '2', from: 'pending', to: 'in-progress' } },
    ]);
    expect(rec.watcher.current()?.data).toEqual(next);
  });

  it('reports a subtask edit as an event of the subtask ("5.2")', async () => {
    await start();
    const next = clone(sampleFile());
    next.master!.tasks[4]!.subtasks![1]!.title = 'Step two, reworded';
    await writeFile(project.file, JSON.stringify(next, null, 2));

    await waitFor(() => rec.changes.length === 1);
    expect(rec.events()).toEqual([
      {
        event: 'task.updated',
        payload: { tag: 'master', parentId: '5', id: '5.2', task: next.master!.tasks[4]!.subtasks![1], changed: ['title'] },
      },
    ]);
  });

  it('reports new and deleted tasks in the tag they belong to', async () => {
    await start();
    const next = clone(sampleFile());
    next.master!.tasks.push(task(6));
    next.feature!.tasks = [];
    await writeFile(project.file, JSON.stringify(next, null, 2));

    await waitFor(() => rec.changes.length === 1);
    expect(rec.events()).toEqual([
      { event: 'task.created', payload: { tag: 'master', id: '6', task: task(6) } },
      { event: 'task.deleted', payload: { tag: 'feature', id: '1' } },
    ]);
  });

  it('reports a formatting-only edit as a change without task events', async () => {
    await start();
    const before = rec.watcher.current()!;
    await writeFile(project.file, JSON.stringify(sampleFile()));

    await waitFor(() => rec.changes.length === 1);
    expect(rec.changes[0]!.changes).toEqual([]);
    expect(rec.changes[0]!.hash).not.toBe(before.hash);
    expect(rec.watcher.current()?.hash).toBe(rec.changes[0]!.hash);
  });

  it('reports nothing when the same bytes are written again', async () => {
    await start();
    const before = rec.watcher.current();
    await writeFile(project.file, JSON.stringify(sampleFile(), null, 2));
    await quietFor();
    expect(rec.changes).toEqual([]);
    expect(rec.watcher.current()).toEqual(before);
  });
});
