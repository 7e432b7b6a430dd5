import { readFile, writeFile } from 'node:fs/promises';
import { parseTasksFileTextByTag } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { hashTasksFile } from '../src/index.js';
import { clone, makeProject, quietFor, sampleFile, startWatching, waitFor, type Project, type Recorded } from './helpers.js';

/** A tagged file whose `broken` tag holds a task another tool left without a title. */
type WithBrokenTag = ReturnType<typeof sampleFile> & { broken: { tasks: Array<Record<string, unknown>>; metadata: Record<string, unknown> } };

describe('a tag another tool left broken', () => {
  let project: Project;
  let rec: Recorded;
  afterEach(async () => {
    await rec?.watcher.close();
    await project?.cleanup();
  });

  const write = (data: unknown) => writeFile(project.file, JSON.stringify(data, null, 2));
  const eventsOf = (i: number) => rec.changes[i]!.changes.map((c) => [c.event, c.payload.tag, c.payload.id]);
  const brokenOf = (i: number) => rec.changes[i]!.brokenTags.map((p) => [p.tag, p.taskId, p.field]);

  it('lets the other tags change while it stays broken, and while a write breaks it again once mended', async () => {
    const start = clone(sampleFile()) as WithBrokenTag;
    start.broken = { tasks: [{ id: 1, title: null, status: 'pending' }], metadata: {} };
    project = await makeProject(start);
    // As a server starts it: from the version it read, broken tag and all.
    const bytes = await readFile(project.file);
    const { data } = parseTasksFileTextByTag(bytes.toString('utf8'), 'tasks.json');
    rec = await startWatching(project.file, { initial: { data, hash: hashTasksFile(bytes), bytes: bytes.length } });

    // Edits beside it, one after the other: reported, the broken tag kept as it is and sending no events.
    const first = clone(start);
    first.master!.tasks[1]!.title = 'Edited beside a broken tag';
    first.broken.tasks[0]!.status = 'done';
    await write(first);
    await waitFor(() => rec.changes.length === 1, 3000, 'the first edit');
    expect(brokenOf(0)).toEqual([['broken', '1', 'title']]);
    expect(eventsOf(0)).toEqual([['task.updated', 'master', '2']]);

    const second = clone(first);
    second.master!.tasks[2]!.title = 'A second edit';
    await write(second);
    await waitFor(() => rec.changes.length === 2, 3000, 'the second edit');
    expect(brokenOf(1)).toEqual([['broken', '1', 'title']]);
    expect(eventsOf(1)).toEqual([['task.updated', 'master', '3']]);

    // Mended: its tasks are tasks again, and send events.
    const mended = clone(second);
    mended.broken.tasks[0]!.title = 'Mended';
    await write(mended);
    await waitFor(() => rec.changes.length === 3, 3000, 'the mend');
    expect(rec.changes[2]!.brokenTags).toEqual([]);
    expect(eventsOf(2)).toContainEqual(['task.updated', 'broken', '1']);

    // Broken again, by a write that changes master too: master's change is not held back. The tag is
    // named with its problem (the server tells clients); it sends no events, and the file is no problem.
    const brokenAgain = clone(mended);
    brokenAgain.broken.tasks[0]!.title = null;
    brokenAgain.master!.tasks[0]!.title = 'Edited as the tag broke';
    await write(brokenAgain);
    await waitFor(() => rec.changes.length === 4, 3000, 'the write that breaks it');
    expect(brokenOf(3)).toEqual([['broken', '1', 'title']]);
    expect(rec.changes[3]!.brokenTags[0]!.problem).toMatch(/expected string, received null/);
    expect(eventsOf(3)).toEqual([['task.updated', 'master', '1']]);
    await quietFor();
    expect(rec.problems).toEqual([]);
    expect(rec.watcher.current()!.data).toEqual(brokenAgain);
  });
});
