import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, cleanup, makeProject, startServer } from './helpers.js';

afterEach(cleanup);

type Annotations = { tag: string; complexity: Record<string, number>; sparc: Record<string, string> };
type Fixture = Record<string, { tasks: Array<{ id: number; title: string }> }>;

const report = (scores: Array<[number, number]>) =>
  JSON.stringify({ meta: { generatedAt: '2025-06-01T00:00:00.000Z' }, complexityAnalysis: scores.map(([taskId, complexityScore]) => ({ taskId, taskTitle: 'x', complexityScore, recommendedSubtasks: 3 })) });

describe('tasks.annotations: complexity scores and SPARC modes for the board', () => {
  it("reads Task Master's report of the tag asked for, names each task's SPARC mode, and ignores a report behind a link", async () => {
    const root = await makeProject('fixture');
    const fixture = JSON.parse(await readFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), 'utf8')) as Fixture;
    const otherTag = Object.keys(fixture).find((t) => t !== 'master')!;
    const otherId = fixture[otherTag]!.tasks[0]!.id;
    const reports = join(root, '.taskmaster', 'reports');
    await mkdir(reports, { recursive: true });
    // Task Master names the master report plainly and any other tag's with the tag: task-complexity-report_<tag>.json.
    await writeFile(join(reports, 'task-complexity-report.json'), report([[1, 7], [24, 9], [9999, 5]]));
    await writeFile(join(reports, `task-complexity-report_${otherTag}.json`), report([[otherId, 3]]));
    const server = await startServer(root, { token: false });
    const client = await RawClient.connect(server.wsUrl);

    const master = await client.result<Annotations>('tasks.annotations', { tag: 'master' });
    expect(master.complexity).toEqual({ '1': 7, '24': 9 });
    // `taskmaster init` wrote the default mappings: "test" in a title means test-driven development.
    const testTask = fixture.master!.tasks.find((t) => /\btest/i.test(t.title))!;
    expect(master.sparc[String(testTask.id)]).toBe('tdd');
    expect(Object.keys(master.sparc)).toHaveLength(fixture.master!.tasks.length);

    const other = await client.result<Annotations>('tasks.annotations', { tag: otherTag });
    expect(other.complexity).toEqual({ [String(otherId)]: 3 });

    // A cloned repository may plant a link to any file: it is not read.
    await rm(join(reports, 'task-complexity-report.json'));
    await symlink(join(reports, `task-complexity-report_${otherTag}.json`), join(reports, 'task-complexity-report.json'));
    expect((await client.result<Annotations>('tasks.annotations', { tag: 'master' })).complexity).toEqual({});

    const missing = await client.call('tasks.annotations', { tag: 'no-such-tag' });
    expect(missing.error).toMatchObject({ code: 1008 });
  });
});
