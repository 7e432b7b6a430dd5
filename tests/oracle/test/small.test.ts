/**
 * The oracle on hand-made files (src/files.ts): each verb run by the real Task Master
 * (task-master-ai 0.43.1) and by our `taskmaster` on the same file, the resulting tasks.json
 * compared after normalising (src/oracle.ts). A difference either fails the test or is
 * listed where the test is as a deliberate improvement, with its reason.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { basicFile, brokenFile, convertibleFile, fixableFile } from '../src/files.js';
import {
  cleanUp,
  describeOurs,
  expectSameFile,
  expectUnchanged,
  findTask,
  markTimestamps,
  normalise,
  oracle,
  ourNext,
  ourProblems,
  ourTags,
  printedJson,
  taskMasterNext,
  taskMasterProblems,
  taskMasterTags,
  keepsTagMetadataOf,
  dropsDependency,
  rewritesDependency,
  withTaskMastersDoneCount,
  type Deliberate,
  type NormalFile,
  type NormalTask,
} from '../src/oracle.js';
import { describeRun } from '@taskmaster/task-master-runner';

afterAll(cleanUp);

const basic = { tasks: basicFile() };

/** set-status on the hand-made file's master tag (created/description as in src/files.ts). */
const keepsTagMetadata = keepsTagMetadataOf('master', { created: '2025-01-01T00:00:00.000Z', description: 'Main tag' });

describe.concurrent('read-only verbs', () => {
  test('list --with-subtasks leaves the file as it was', async () => {
    expectUnchanged(await oracle(basic, ['list', '--with-subtasks']));
  });

  test('list --status=pending lists the same tasks', async () => {
    const o = await oracle(basic, ['list', '--status=pending', '--format', 'json'], ['list', '--status=pending', '--json']);
    expectUnchanged(o);
    const ids = (j: { tasks: Array<{ id: unknown }> }) => j.tasks.map((t) => String(t.id));
    expect(ids(printedJson(o.ours.run))).toEqual(ids(printedJson(o.theirs.run)));
  });

  test('list --ready lists the same tasks', async () => {
    const o = await oracle(basic, ['list', '--ready', '--format', 'json'], ['list', '--ready', '--json']);
    expectUnchanged(o);
    const ids = (j: { tasks: Array<{ id: unknown }> }) => j.tasks.map((t) => String(t.id));
    expect(ids(printedJson(o.ours.run))).toEqual(ids(printedJson(o.theirs.run)));
  });

  test('list prints a tag in file order, as task.reorder leaves it, not by id', async () => {
    const file = basicFile();
    // What task.reorder of the last task before the first writes: the array's order, ids unchanged.
    file.master.tasks.unshift(file.master.tasks.pop()!);
    const o = await oracle({ tasks: file }, ['list', '--format', 'json'], ['list', '--json']);
    expectUnchanged(o);
    const ids = (j: { tasks: Array<{ id: unknown }> }) => j.tasks.map((t) => String(t.id));
    const inFile = file.master.tasks.map((t) => String(t.id));
    expect(ids(printedJson(o.theirs.run))).toEqual(inFile);
    expect(ids(printedJson(o.ours.run))).toEqual(inFile);
  });

  test('show 2 shows the same task', async () => {
    const o = await oracle(basic, ['show', '2', '--format', 'json'], ['show', '2', '--json']);
    expectUnchanged(o);
    const gist = (t: NormalTask & { subtasks?: Array<{ id: unknown }> }) => ({
      id: String(t.id),
      title: t.title,
      status: t.status,
      dependencies: ((t.dependencies as unknown[]) ?? []).map(String),
      subtasks: (t.subtasks ?? []).map((s) => String(s.id)),
    });
    const theirs = printedJson(o.theirs.run);
    expect(gist(printedJson(o.ours.run).task)).toEqual(gist(theirs.task ?? theirs));
  });

  test('next chooses the same task', async () => {
    const o = await oracle(basic, ['next', '--format', 'json'], ['next', '--json']);
    expectUnchanged(o);
    expect(ourNext(o.ours.run)).toEqual(taskMasterNext(o.theirs.run));
  });

  test('tags lists the same tags and counts', async () => {
    const o = await oracle(basic, ['tags'], ['tags', '--json']);
    expectUnchanged(o);
    const theirs = taskMasterTags(o.theirs.run);
    expect(theirs.length, describeRun(o.theirs.run)).toBe(2);
    expect(withTaskMastersDoneCount(ourTags(o.ours.run), o.before)).toEqual(theirs);
  });

  test('validate-dependencies finds the same problems', async () => {
    const o = await oracle({ tasks: brokenFile() }, ['validate-dependencies'], ['validate-dependencies', '--json']);
    // Task Master exits 0 whether or not it found problems; ours may exit non-zero on problems, so only its file is checked.
    expect(o.theirs.run.code, describeRun(o.theirs.run)).toBe(0);
    expect(o.ours.bytes, describeOurs(o.ours.run)).toBe(o.before);
    const theirs = taskMasterProblems(o.theirs.run);
    expect(theirs.length, describeRun(o.theirs.run)).toBeGreaterThan(0);
    expect(ourProblems(o.ours.run)).toEqual(theirs);
  });
});

describe.concurrent('set-status', () => {
  test('a subtask', async () => {
    expectSameFile(await oracle(basic, ['set-status', '--id=2.2', '--status=done']), [keepsTagMetadata]);
  });

  test('a parent with open subtasks (done marks them done)', async () => {
    expectSameFile(await oracle(basic, ['set-status', '--id=2', '--status=done']), [keepsTagMetadata]);
  });

  test('blocked: Task Master 0.43.1 writes it though its docs list six statuses, and so do we', async () => {
    expectSameFile(await oracle(basic, ['set-status', '--id=4', '--status=blocked']), [keepsTagMetadata]);
  });

  test('a status Task Master does not know is refused by both, the file left as it was', async () => {
    const o = await oracle(basic, ['set-status', '--id=4', '--status=completed']);
    expect(o.ours.run.code).toBe(1);
    expect(o.ours.run.stderr).toContain('pending, in-progress, done, review, deferred, cancelled, blocked');
    expect(o.theirs.run.stdout + o.theirs.run.stderr).toMatch(/Invalid status "completed"/);
    expect(o.ours.bytes).toBe(o.before);
    expect(JSON.stringify(o.theirs.file)).toBe(JSON.stringify(JSON.parse(o.before)));
  });

  test('several ids: the last open subtasks of a parent, and a task', async () => {
    expectSameFile(await oracle(basic, ['set-status', '--id=2.2,2.3,4', '--status=done']), [keepsTagMetadata]);
  });
});

describe.concurrent('tasks', () => {
  // add-task with --title and --description is Task Master's manual path: no AI, no key
  // (only --prompt calls a model), so it is compared like the other verbs.
  test('add-task --title --description (manual, no AI)', async () => {
    expectSameFile(
      await oracle(basic, ['add-task', '--title=Search', '--description=Full-text search', '--priority=high', '--dependencies=2,4']),
    );
  });

  test('remove-task of a task others depend on', async () => {
    expectSameFile(await oracle(basic, ['remove-task', '--id=4', '-y']));
  });

  test('remove-task of a subtask a sibling depends on, and a task', async () => {
    expectSameFile(await oracle(basic, ['remove-task', '--id=2.1,6', '-y']));
  });
});

/**
 * Task 4 (depending on 1; 5 depends on it) made subtask 3.3, by add-subtask --task-id or by
 * move: ours makes 5 depend on 3.3 (Task Master leaves 5 on 4, which no longer exists), and
 * drops 3.3's dependency on task 1 (in a subtask a bare 1 names its sibling 3.1, so Task
 * Master's kept 1 now means 3.1; a subtask cannot name a top-level task).
 */
const taskFourBecomesSubtask: Deliberate[] = [
  rewritesDependency({ at: '5', ours: '3.3', theirs: '4', reason: 'ours follows task 4 to its new id 3.3; Task Master leaves a dangling 4' }),
  dropsDependency({ at: '3.3', dep: '1', reason: 'in a subtask a bare 1 is sibling 3.1: Task Master\'s kept dependency on task 1 changes meaning; ours drops it' }),
];

/**
 * Subtask 2.3 (depending on sibling 2.2; 3.2 depends on "2.3") made task 7, by remove-subtask
 * --convert or by move: ours writes its sibling dependency as "2.2" (Task Master keeps a bare
 * 2, which now names task 2), and drops 3.2's dependency on it (a subtask cannot name the
 * top-level task 7: a bare id in a subtask is a sibling; Task Master leaves a dangling "2.3").
 */
const subtaskTwoThreeBecomesTask: Deliberate[] = [
  rewritesDependency({
    at: '7',
    ours: '2.2',
    theirs: '2',
    // remove-subtask --convert also adds the old parent (2) unless listed: Task Master's bare 2
    // counts as listed, ours lists 2.2 and 2, which map back to the one entry.
    reason: 'ours writes what was sibling 2 as "2.2"; Task Master keeps a bare 2, now task 2',
  }),
  dropsDependency({ at: '3.2', dep: '2.3', reason: '2.3 is now task 7, which a subtask cannot name; Task Master leaves a dangling "2.3"' }),
];

describe.concurrent('subtasks', () => {
  test('add-subtask: a new one with a dependency', async () => {
    expectSameFile(await oracle(basic, ['add-subtask', '--parent=3', '--title=Tests', '--description=API tests', '--dependencies=3.1']));
  });

  // On basicFile Task Master's conversion overflows its stack (see convertibleFile).
  test('add-subtask --task-id: a task others depend on becomes a subtask', async () => {
    expectSameFile(await oracle({ tasks: convertibleFile() }, ['add-subtask', '--parent=3', '--task-id=4']), taskFourBecomesSubtask);
  });

  test('remove-subtask of a subtask a sibling depends on', async () => {
    expectSameFile(await oracle(basic, ['remove-subtask', '--id=2.1']), [
      dropsDependency({ at: '2.2', dep: '1', reason: 'ours removes the dependency on the removed subtask 2.1; Task Master leaves a dangling 1' }),
    ]);
  });

  test('remove-subtask --convert: the subtask becomes a task', async () => {
    expectSameFile(await oracle(basic, ['remove-subtask', '--id=2.3', '--convert']), subtaskTwoThreeBecomesTask);
  });

  test('clear-subtasks --id of two tasks', async () => {
    expectSameFile(await oracle(basic, ['clear-subtasks', '--id=2,3']));
  });

  test('clear-subtasks --all', async () => {
    expectSameFile(await oracle(basic, ['clear-subtasks', '--all']));
  });
});

/**
 * Task Master's fix-dependencies leaves a cycle of two subtasks in place (1.1 → 1.2 → 1.1
 * stays, so neither can ever start); ours breaks it by dropping one of the two edges. Checked,
 * then forgiven: ours keeps exactly one of the two, Task Master keeps both; the edges are then
 * removed from both sides so the rest of the file is compared as is.
 */
const breaksSubtaskCycle: Deliberate = {
  name: 'fix-dependencies breaks the 1.1↔1.2 subtask cycle',
  reason: 'Task Master leaves a 2-subtask cycle, which blocks both subtasks forever; ours removes one edge of it',
  apply({ ours, theirs }) {
    const edges = (file: NormalFile) => {
      const a = findTask(file, 'master', '1.1');
      const b = findTask(file, 'master', '1.2');
      const deps = (t: NormalTask | undefined) => ((t?.dependencies as string[] | undefined) ?? []).filter((d) => ['1', '2', '1.1', '1.2'].includes(d));
      return { a, b, kept: [...deps(a), ...deps(b)] };
    };
    const t = edges(theirs);
    const o = edges(ours);
    expect(t.kept, 'Task Master is expected to keep both edges of the cycle').toHaveLength(2);
    expect(o.kept, 'ours should break the 1.1↔1.2 cycle by dropping exactly one edge').toHaveLength(1);
    for (const { a, b } of [t, o]) {
      for (const s of [a, b]) if (s) s.dependencies = ((s.dependencies as string[]) ?? []).filter((d) => !['1', '2', '1.1', '1.2'].includes(d));
    }
  },
};

describe.concurrent('dependencies', () => {
  test('add-dependency between tasks', async () => {
    expectSameFile(await oracle(basic, ['add-dependency', '--id=4', '--depends-on=3']));
  });

  test('add-dependency from a subtask to another task\'s subtask', async () => {
    expectSameFile(await oracle(basic, ['add-dependency', '--id=3.1', '--depends-on=2.2']));
  });

  test('remove-dependency', async () => {
    expectSameFile(await oracle(basic, ['remove-dependency', '--id=5', '--depends-on=3']));
  });

  test('fix-dependencies', async () => {
    expectSameFile(await oracle({ tasks: fixableFile() }, ['fix-dependencies']), [breaksSubtaskCycle]);
  });
});

describe.concurrent('move', () => {
  test('a task to a new id', async () => {
    expectSameFile(await oracle(basic, ['move', '--from=5', '--to=9']));
  });

  test('a subtask to another place in its parent', async () => {
    expectSameFile(await oracle(basic, ['move', '--from=2.1', '--to=2.3']));
  });

  test('a task to a subtask of another task', async () => {
    expectSameFile(await oracle(basic, ['move', '--from=4', '--to=3.3']), taskFourBecomesSubtask);
  });

  test('a subtask to a task', async () => {
    expectSameFile(await oracle(basic, ['move', '--from=2.3', '--to=7']), subtaskTwoThreeBecomesTask);
  });

  test('several ids', async () => {
    expectSameFile(await oracle(basic, ['move', '--from=5,6', '--to=8,9']));
  });

  test('a task onto an existing id', async () => {
    const o = await oracle(basic, ['move', '--from=6', '--to=4']);
    // Either both refuse (and leave the file) or both do the same.
    if (o.theirs.run.code !== 0) {
      expect(o.ours.run.code, describeOurs(o.ours.run)).not.toBe(0);
      expect(o.ours.bytes).toBe(o.before);
    } else expectSameFile(o);
  });

  test('deliberate: a task onto its own id is refused by Task Master ("already exists"), nothing to do for ours; neither changes the tasks', async () => {
    const o = await oracle(basic, ['move', '--from=5', '--to=5']);
    expect(o.theirs.run.code).not.toBe(0);
    expect(o.theirs.run.stdout + o.theirs.run.stderr).toMatch(/already exists/i);
    expect(o.ours.run.code, describeOurs(o.ours.run)).toBe(0);
    expect(o.ours.run.stdout).toContain('Task 5 is already 5: nothing moved');
    expect(o.ours.bytes).toBe(o.before);
    const before = normalise(JSON.parse(o.before));
    const theirs = normalise(structuredClone(o.theirs.file));
    markTimestamps(theirs, before);
    expect(theirs).toEqual(before);
  });

  test('cross-tag: a task without dependencies', async () => {
    expectSameFile(await oracle(basic, ['move', '--from=6', '--from-tag=master', '--to-tag=feature']));
  });

  test('cross-tag --ignore-dependencies: a task with dependencies and dependents', async () => {
    expectSameFile(await oracle(basic, ['move', '--from=4', '--from-tag=master', '--to-tag=feature', '--ignore-dependencies']), [
      dropsDependency({ at: '5', dep: '4', reason: 'task 4 left master: ours removes 5\'s dependency on it; Task Master leaves 5 depending on a task master no longer has' }),
    ]);
  });
});

describe.concurrent('tags', () => {
  test('add-tag with a description', async () => {
    expectSameFile(await oracle(basic, ['add-tag', 'sprint', '--description=Sprint one']));
  });

  test('add-tag --copy-from', async () => {
    expectSameFile(await oracle(basic, ['add-tag', 'feature-copy', '--copy-from=feature']));
  });

  test('use-tag switches the current tag in state.json', async () => {
    const o = await oracle(basic, ['use-tag', 'feature']);
    expectSameFile(o);
    expect(o.theirs.state?.currentTag, describeRun(o.theirs.run)).toBe('feature');
    expect(o.ours.state?.currentTag, describeOurs(o.ours.run)).toBe(o.theirs.state?.currentTag);
  });

  test('delete-tag', async () => {
    expectSameFile(await oracle(basic, ['delete-tag', 'feature', '-y']));
  });

  test('rename-tag', async () => {
    expectSameFile(await oracle(basic, ['rename-tag', 'feature', 'feature-2']));
  });

  test('rename-tag of the current tag: renamed on both, and state.json names it by its new name on both', async () => {
    const o = await oracle({ ...basic, state: { currentTag: 'feature' } }, ['rename-tag', 'feature', 'feature-2']);
    expectSameFile(o);
    expect(o.theirs.state?.currentTag, describeRun(o.theirs.run)).toBe('feature-2');
    expect(o.ours.state?.currentTag, describeOurs(o.ours.run)).toBe('feature-2');
    expect(o.ours.run.stdout).toContain('still the current tag');
  });

  test('deliberate: delete-tag of the current tag: Task Master deletes it and moves state.json to master, ours refuses and asks to switch first', async () => {
    const o = await oracle({ ...basic, state: { currentTag: 'feature' } }, ['delete-tag', 'feature', '-y']);
    expect(o.theirs.run.code, describeRun(o.theirs.run)).toBe(0);
    expect(Object.keys(o.theirs.file as object)).not.toContain('feature');
    expect(o.theirs.state?.currentTag).toBe('master');
    // Another client (a board, VS Code) deleting the tag a CLI works on would move that CLI's context.
    expect(o.ours.run.code).toBe(1);
    expect(o.ours.run.stderr).toContain('tag "feature" is the current tag and cannot be deleted; switch to another first (taskmaster use-tag master)');
    expect(o.ours.bytes).toBe(o.before);
    expect(o.ours.state?.currentTag).toBe('feature');
  });

  test('copy-tag', async () => {
    expectSameFile(await oracle(basic, ['copy-tag', 'master', 'master-copy']));
  });
});

