import { writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { TaggedTasksFile } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { clone, currentTasks, makeProject, quietFor, renameWritesFromChild, sampleFile, startWatching, task, waitFor, type Project, type Recorded } from './helpers.js';

/** Twenty versions, each adding one task and retitling task 1. */
function twentyVersions(): TaggedTasksFile[] {
  const next = clone(sampleFile());
  return Array.from({ length: 20 }, (_, i) => {
    next.master!.tasks[0]!.title = `Retitled ${i + 1} times`;
    next.master!.tasks.push(task(101 + i));
    return clone(next);
  });
}

describe('bursts of writes', () => {
  let project: Project;
  let rec: Recorded;
  afterEach(async () => {
    await rec?.watcher.close();
    await project?.cleanup();
  });

  function expectBurstSeen(versions: TaggedTasksFile[]) {
    const last = versions.at(-1)!;
    expect(rec.changes.at(-1)!.data).toEqual(last);
    expect(rec.watcher.current()!.data).toEqual(last);
    const events = rec.events();
    const created = events.filter((e) => e.event === 'task.created').map((e) => e.payload.id);
    expect(created.sort()).toEqual(Array.from({ length: 20 }, (_, i) => String(101 + i)).sort());
    const retitles = events.filter((e) => e.event === 'task.updated' && e.payload.id === '1');
    expect(retitles.at(-1)!.payload).toMatchObject({ task: { title: 'Retitled 20 times' }, changed: ['title'] });
    expect(events.some((e) => e.event === 'task.deleted')).toBe(false);
    expect(rec.problems).toEqual([]);
  }

  it('reads twenty quick in-place writes once, ending at the last write', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    const versions = twentyVersions();
    for (const v of versions) writeFileSync(project.file, JSON.stringify(v, null, 2));

    await waitFor(() => currentTasks(rec)?.length === 25);
    await quietFor();
    expect(rec.changes).toHaveLength(1);
    expectBurstSeen(versions);
  });

  it('ends at the last of twenty rename-writes made by another process', async () => {
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    const versions = twentyVersions();
    await renameWritesFromChild(project.file, versions);

    await waitFor(() => currentTasks(rec)?.length === 25);
    await quietFor();
    expect(rec.changes.length).toBeGreaterThanOrEqual(1);
    expect(rec.changes.length).toBeLessThanOrEqual(5);
    expectBurstSeen(versions);
  });

  it('sees a write that lands right after the previous one was read', async () => {
    // chokidar drops a `change` within 50 ms of the previous one; this second
    // write lands after our 30 ms debounce has read the first, inside that window.
    project = await makeProject(sampleFile());
    rec = await startWatching(project.file);
    const first = clone(sampleFile());
    first.master!.tasks.push(task(6));
    const second = clone(first);
    second.master!.tasks.push(task(7));
    await writeFile(project.file, JSON.stringify(first));
    await new Promise((r) => setTimeout(r, 40));
    await writeFile(project.file, JSON.stringify(second));

    await waitFor(() => currentTasks(rec)?.length === 7);
    expect(rec.events().map((e) => [e.event, e.payload.id])).toEqual([
      ['task.created', '6'],
      ['task.created', '7'],
    ]);
  });
});
