/**
 * The oracle on the real Task Master file of the task-master repository (1.5 MB, 9 tags,
 * 182 tasks, 914 subtasks; current tag master): the verbs that write, and the reads whose
 * answer depends on a big file, run by Task Master and by ours, the files compared.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { describeRun } from '@taskmaster/task-master-runner';
import {
  cleanUp,
  describeOurs,
  expectSameFile,
  expectUnchanged,
  keepsTagMetadataOf,
  dropsDependency,
  noEmptySubtasksAdded,
  onlyItsTags,
  rewritesDependency,
  withTaskMastersDoneCount,
  oracle,
  ourNext,
  ourProblems,
  ourTags,
  printedJson,
  taskMasterNext,
  taskMasterProblems,
  taskMasterTags,
} from '../src/oracle.js';

afterAll(cleanUp);

const real = { tasks: 'fixture' as const };

describe.concurrent('the real file: reads', () => {
  test('list: same tasks, file untouched', async () => {
    const o = await oracle(real, ['list', '--format', 'json'], ['list', '--json']);
    expectUnchanged(o);
    const ids = (j: { tasks: Array<{ id: unknown }> }) => j.tasks.map((t) => String(t.id));
    expect(ids(printedJson(o.ours.run))).toEqual(ids(printedJson(o.theirs.run)));
  });

  test('next chooses the same task', async () => {
    const o = await oracle(real, ['next', '--format', 'json'], ['next', '--json']);
    expectUnchanged(o);
    expect(ourNext(o.ours.run)).toEqual(taskMasterNext(o.theirs.run));
  });

  test('tags: same names and counts', async () => {
    const o = await oracle(real, ['tags'], ['tags', '--json']);
    // Deliberate: Task Master's `tags` writes the file (adds created/description/updated to
    // the `loop` tag, which has none); ours lists without writing.
    expectUnchanged(o, { theirsWrites: true });
    const theirs = taskMasterTags(o.theirs.run);
    expect(theirs.length, describeRun(o.theirs.run)).toBe(9);
    // master has a cancelled task: Task Master counts it as done, ours does not.
    expect(withTaskMastersDoneCount(ourTags(o.ours.run), o.before)).toEqual(theirs);
  });

  test('validate-dependencies: same problems', async () => {
    const o = await oracle(real, ['validate-dependencies'], ['validate-dependencies', '--json']);
    expect(o.theirs.run.code, describeRun(o.theirs.run)).toBe(0);
    expect(o.ours.bytes, describeOurs(o.ours.run)).toBe(o.before);
    expect(ourProblems(o.ours.run)).toEqual(taskMasterProblems(o.theirs.run));
  });
});

describe.concurrent('the real file: writes', () => {
  test('set-status of a task with pending subtasks and of a subtask', async () => {
    const o = await oracle(real, ['set-status', '--id=26,40.2', '--status=done']);
    expectSameFile(o, [
      keepsTagMetadataOf('master', { created: '2025-06-13T23:52:56.848Z', description: 'Main tag for the taskmaster project' }),
      noEmptySubtasksAdded('master'),
    ]);
  });

  test('move a task with dependencies and dependents to a new id', async () => {
    expectSameFile(await oracle(real, ['move', '--from=27', '--to=110']), [onlyItsTags('master')]);
  });

  test('move a task to another tag', async () => {
    expectSameFile(await oracle(real, ['move', '--from=89', '--from-tag=master', '--to-tag=test-tag']), [onlyItsTags('master', 'test-tag')]);
  });

  test('add-dependency', async () => {
    expectSameFile(await oracle(real, ['add-dependency', '--id=46', '--depends-on=45']));
  });

  test('remove-subtask --convert', async () => {
    // 45.3 (depending on sibling 45.1; 45.4 and 45.10 depend on it) becomes task 105.
    const gone = '45.3 is now task 105, which a subtask cannot name (a bare id in a subtask is a sibling); Task Master leaves a dangling 3';
    expectSameFile(await oracle(real, ['remove-subtask', '--id=45.3', '--convert']), [
      rewritesDependency({ at: '105', ours: '45.1', theirs: '1', reason: 'ours writes what was sibling 1 as "45.1"; Task Master keeps a bare 1, now task 1' }),
      dropsDependency({ at: '45.4', dep: '3', reason: gone }),
      dropsDependency({ at: '45.10', dep: '3', reason: gone }),
    ]);
  });

  test('clear-subtasks of two tasks', async () => {
    expectSameFile(await oracle(real, ['clear-subtasks', '--id=41,42']));
  });

  test('fix-dependencies', async () => {
    expectSameFile(await oracle(real, ['fix-dependencies']), [
      dropsDependency({ at: '12.1', dep: '4', reason: 'subtasks 12.1 and 12.4 depend on each other: ours breaks the cycle, Task Master leaves it (neither can ever start)' }),
    ]);
  });

  test('copy-tag', async () => {
    expectSameFile(await oracle(real, ['copy-tag', 'master', 'master-copy']), [onlyItsTags('master-copy')]);
  });

  test('rename-tag', async () => {
    expectSameFile(await oracle(real, ['rename-tag', 'loop', 'loop-2']));
  });

  test('delete-tag', async () => {
    expectSameFile(await oracle(real, ['delete-tag', 'cc-kiro-hooks', '-y']), [onlyItsTags('cc-kiro-hooks')]);
  });
});
