import { mkdir, readlink, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clone, makeProject, renameWriteFromChild, sampleFile, startWatching, waitFor, type Project, type Recorded } from './helpers.js';

describe('a tasks.json that is a symbolic link (a user keeps the file elsewhere)', () => {
  let project: Project;
  let rec: Recorded;
  afterEach(async () => {
    await rec?.watcher.close();
    await project?.cleanup();
  });

  it('sees rename-writes made at the link target, in another folder', async () => {
    project = await makeProject();
    const elsewhere = join(project.root, 'shared-plans');
    await mkdir(elsewhere);
    const target = join(elsewhere, 'tasks.json');
    await renameWriteFromChild(target, sampleFile());
    await symlink(target, project.file);

    rec = await startWatching(project.file);
    const next = clone(sampleFile());
    next.master!.tasks[0]!.title = 'Edited at the target';
    await renameWriteFromChild(target, next);

    await waitFor(() => rec.changes.length === 1);
    expect(rec.events()).toEqual([expect.objectContaining({ event: 'task.updated', payload: expect.objectContaining({ id: '1', changed: ['title'] }) })]);
    // Again, now that the target's inode was replaced once.
    next.master!.tasks[1]!.status = 'done';
    await renameWriteFromChild(target, next);
    await waitFor(() => rec.changes.length === 2);
    next.master!.tasks[2]!.priority = 'low';
    await renameWriteFromChild(target, next);
    await waitFor(() => rec.changes.length === 3);
    expect(rec.changes.map((c) => [...new Set(c.changes.map((e) => e.payload.id))])).toEqual([['1'], ['2'], ['3']]);
    expect(await readlink(project.file)).toBe(target);
  });
});
