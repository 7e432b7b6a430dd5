import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, idKey, validateTasksFile, type TagData, type TaskId, type WriteMethodName } from '@taskmaster/protocol';
import { callDirect, openStore } from '../src/index.js';
import { dangling, edges, NOW, runOp } from './op-harness.js';
import { cleanup, FIXTURE_TEXT, fixtureProject, tempProject } from './helpers.js';

afterEach(cleanup);

const run = <M extends WriteMethodName>(method: M, params: unknown, data: any = smallFile(), tag = 'master') => runOp(method, params, data, tag);

/*
 * What Task Master 0.43.1 does was observed by running its CLI
 * (`add-subtask`, `remove-subtask`, `clear-subtasks`) on the same small file
 * (`smallFile` below); each test says where we differ and why. Task Master
 * leaves the tag's metadata alone; we refresh its `updated`, as every write
 * op of ours does.
 */

const OLD = '2025-01-01T00:00:00.000Z';

/** Tasks 1–8 (subtasks under 2, 5, 6; dependencies of every form), as in move-ops.test.ts. */
function smallFile(): any {
  const task = (id: number, title: string, extra: object = {}) => ({
    id, title, description: `d${id}`, status: 'pending', dependencies: [], priority: 'medium', details: '', testStrategy: '', subtasks: [], ...extra,
  });
  return {
    master: {
      tasks: [
        task(1, 'one', { status: 'done', priority: 'high' }),
        task(2, 'two', {
          dependencies: [1],
          subtasks: [
            { id: 1, title: 'two-a', description: '', details: '', status: 'pending', dependencies: [], parentTaskId: 2 },
            { id: 2, title: 'two-b', description: '', details: '', status: 'pending', dependencies: [1], parentTaskId: 2 },
            { id: 3, title: 'two-c', description: '', details: '', status: 'pending', dependencies: ['2.2', 1], parentTaskId: 2, testStrategy: 'sts' },
          ],
        }),
        task(3, 'three', { dependencies: [1, 2], priority: 'low' }),
        task(4, 'four', { dependencies: ['2.1'], owner: 'ana' }),
        task(5, 'five', {
          status: 'in-progress',
          dependencies: [3],
          priority: 'high',
          subtasks: [
            { id: 1, title: 'five-a', description: 'fa', details: '', status: 'done', dependencies: [] },
            { id: 2, title: 'five-b', description: 'fb', details: 'x', status: 'pending', dependencies: [1] },
            { id: 3, title: 'five-c', description: 'fc', details: '', status: 'pending', dependencies: ['5.1', 2] },
          ],
        }),
        task(6, 'six', { dependencies: [5], subtasks: [{ id: 1, title: 'six-a', description: '', details: '', status: 'pending', dependencies: ['5.2'] }] }),
        task(7, 'seven'),
        task(8, 'eight', { dependencies: ['5', 6] }),
      ],
      metadata: { created: OLD, updated: OLD, description: 'main' },
    },
    other: { tasks: [task(1, 'o-one')], metadata: { created: OLD, updated: OLD, description: 'other' } },
  };
}



function failure(method: WriteMethodName, params: unknown, data?: any, tag?: string): { code: number; message: string } {
  try {
    run(method, params, data, tag);
  } catch (err) {
    return err as { code: number; message: string };
  }
  throw new Error(`expected ${method} to fail`);
}

const taskOf = (data: any, id: TaskId, tag = 'master') => (data[tag].tasks as any[]).find((t) => idKey(t.id) === idKey(id));
const idsOf = (data: any, tag = 'master') => (data[tag].tasks as any[]).map((t) => idKey(t.id));



describe('subtask.add with a new subtask', () => {
  it('adds the next subtask id with Task Master fields (`add-subtask --parent 5 --title x`)', () => {
    const { data, value } = run('subtask.add', { parentId: 5, task: { title: 'x' } });
    const expected = { id: 4, title: 'x', description: '', details: '', status: 'pending', dependencies: [], parentTaskId: 5 };
    expect(value).toEqual({ tag: 'master', id: '5.4', task: expected });
    expect(taskOf(data, 5).subtasks.at(-1)).toEqual(expected);
  });

  it('takes the given fields and dependencies as Task Master stores them (`--dependencies 1,5.2 --status done …`)', () => {
    const { data } = run('subtask.add', { parentId: '5', task: { title: 'x', description: 'dd', details: 'det', status: 'done', dependencies: [1, '5.2'] } });
    expect(taskOf(data, 5).subtasks.at(-1)).toEqual({ id: 4, title: 'x', description: 'dd', details: 'det', status: 'done', dependencies: [1, '5.2'], parentTaskId: 5 });
  });

  it('starts at 1 under a task without subtasks', () => {
    const { value } = run('subtask.add', { parentId: 7, task: { title: 'x' } });
    expect(value.id).toBe('7.1');
  });

  it('refuses a parent that is missing (1008) or a subtask (Task Master adds "2.1" under 2 and reports it as 2.1.4)', () => {
    expect(failure('subtask.add', { parentId: 99, task: { title: 'x' } })).toMatchObject({ code: ErrorCode.NotFound, message: 'task 99 not found in tag "master"' });
    expect(failure('subtask.add', { parentId: '2.1', task: { title: 'x' } })).toMatchObject({ code: ErrorCode.InvalidParams, message: expect.stringContaining('subtasks cannot have subtasks') });
    expect(failure('subtask.add', { parentId: 5, task: { title: 'x' } }, undefined, 'nope').code).toBe(ErrorCode.NotFound);
  });
});

describe('subtask.add converting a task (`--task-id`)', () => {
  it('moves the task under the parent as Task Master does: its fields, the next id, parentTaskId', () => {
    const { data, value } = run('subtask.add', { parentId: 5, taskId: 7 });
    const expected = { ...smallFile().master.tasks[6], id: 4, parentTaskId: 5 };
    expect(value).toEqual({ tag: 'master', id: '5.4', task: expected });
    expect(Object.keys(value.task)).toEqual(Object.keys(expected));
    expect(idsOf(data)).toEqual(['1', '2', '3', '4', '5', '6', '8']);
    expect(taskOf(data, 5).subtasks.at(-1)).toEqual(expected);
  });

  it('makes dependents follow it, and drops its dependencies on tasks, which a subtask cannot name', () => {
    const { data } = run('subtask.add', { parentId: 2, taskId: 3 });
    const sub = taskOf(data, 2).subtasks.at(-1);
    expect(sub).toMatchObject({ id: 4, title: 'three', parentTaskId: 2 });
    // Task Master keeps [1, 2], which in a subtask of 2 name 2.1 and 2.2; and leaves 5 depending on the vanished 3.
    expect(sub.dependencies).toEqual([]);
    expect(taskOf(data, 5).dependencies).toEqual(['2.4']);
    expect(dangling(data.master)).toEqual([]);
  });

  it('refuses itself, a parent that depends on it, a task with subtasks, and ids that are subtasks', () => {
    expect(failure('subtask.add', { parentId: 5, taskId: 5 }).message).toMatch(/cannot become a subtask of itself/);
    // As Task Master: 3 depends on 1 (directly), 8 on 3 (through 6 and 5).
    expect(failure('subtask.add', { parentId: 3, taskId: 1 }).message).toMatch(/task 3 depends on task 1.*circular/);
    expect(failure('subtask.add', { parentId: 8, taskId: 3 }).message).toMatch(/task 8 depends on task 3/);
    // Task Master nests the subtasks under the new subtask (5.4.1), which nothing can address.
    expect(failure('subtask.add', { parentId: 5, taskId: 6 }).message).toMatch(/task 6 has 1 subtask, and a subtask cannot have subtasks/);
    // Task Master reads 5.2 as 5 and converts task 5.
    expect(failure('subtask.add', { parentId: 7, taskId: '5.2' }).message).toMatch(/5\.2 is already a subtask; move it to another parent with 'taskmaster move' \(task\.move\)$/);
    expect(failure('subtask.add', { parentId: 5, taskId: 99 }).code).toBe(ErrorCode.NotFound);
    expect(failure('subtask.add', { parentId: 99, taskId: 7 }).code).toBe(ErrorCode.NotFound);
  });
});

describe('subtask.remove', () => {
  it('deletes a subtask and the dependencies on it (Task Master leaves 5.3 → 2 and 6.1 → "5.2" dangling)', () => {
    const { data, value } = run('subtask.remove', { ids: ['5.2'] });
    expect(value).toEqual({ tag: 'master', removed: [{ id: '5.2' }] });
    expect(taskOf(data, 5).subtasks.map((s: any) => [s.id, s.dependencies])).toEqual([
      [1, []],
      [3, ['5.1']],
    ]);
    expect(taskOf(data, 6).subtasks[0].dependencies).toEqual([]);
    expect(dangling(data.master)).toEqual([]);
    expect(data.master.metadata.updated).toBe(NOW);
  });

  it("drops the parent's subtasks field with its last subtask, as Task Master does", () => {
    const { data } = run('subtask.remove', { ids: ['6.1'] });
    expect(taskOf(data, 6)).not.toHaveProperty('subtasks');
  });

  it('converts a subtask into the next task as Task Master does, its sibling dependencies written as full ids', () => {
    const { data, value } = run('subtask.remove', { ids: ['5.2'], convert: true });
    expect(value.removed).toEqual([{ id: '5.2', convertedTo: '9' }]);
    // Task Master writes [1, 5]: as a task's, `1` is task 1, but the subtask meant its sibling 5.1.
    expect(data.master.tasks.at(-1)).toEqual({ id: 9, title: 'five-b', description: 'fb', details: 'x', status: 'pending', dependencies: ['5.1', 5], priority: 'high' });
    // 6.1 depended on 5.2: a subtask cannot name task 9, so it goes; 5.3's sibling dependency likewise.
    expect(taskOf(data, 6).subtasks[0].dependencies).toEqual([]);
    expect(taskOf(data, 5).subtasks[1].dependencies).toEqual(['5.1']);
  });

  it('keeps testStrategy and other fields Task Master drops, and points task dependents at the new task', () => {
    const { data } = run('subtask.remove', { ids: ['2.3', '2.1'], convert: true });
    expect(taskOf(data, 9)).toEqual({
      id: 9, title: 'two-c', description: '', details: '', status: 'pending', dependencies: ['2.2', 10, 2], priority: 'medium', testStrategy: 'sts',
    });
    expect(taskOf(data, 10).dependencies).toEqual([2]);
    // Task Master leaves 4 depending on "2.1", which no longer exists.
    expect(taskOf(data, 4).dependencies).toEqual([10]);
    expect(taskOf(data, 2).subtasks).toEqual([{ id: 2, title: 'two-b', description: '', details: '', status: 'pending', dependencies: [], parentTaskId: 2 }]);
    expect(dangling(data.master)).toEqual([]);
  });

  it('converts several at once with dependencies between them kept', () => {
    const { data, value } = run('subtask.remove', { ids: ['5.2', '5.3'], convert: true });
    expect(value.removed).toEqual([
      { id: '5.2', convertedTo: '9' },
      { id: '5.3', convertedTo: '10' },
    ]);
    expect(taskOf(data, 10).dependencies).toEqual(['5.1', 9, 5]);
  });

  it('removes all or nothing (Task Master deletes 5.1, then fails on 5.9)', () => {
    expect(failure('subtask.remove', { ids: ['5.1', '5.9'] })).toMatchObject({ code: ErrorCode.NotFound, message: 'task 5.9 not found in tag "master"' });
    expect(failure('subtask.remove', { ids: [5] })).toMatchObject({ code: ErrorCode.InvalidParams, message: expect.stringContaining("5 is a task, not a subtask; delete tasks with 'taskmaster remove-task' (task.delete)") });
    expect(failure('subtask.remove', { ids: ['5.1'] }, undefined, 'nope').code).toBe(ErrorCode.NotFound);
  });
});

describe('subtasks.clear', () => {
  it('empties the lists of the ids given, counting each (`clear-subtasks --id 5,6,7`)', () => {
    const { data, value } = run('subtasks.clear', { ids: [5, '6', 7] });
    expect(value).toEqual({ tag: 'master', cleared: [{ id: '5', count: 3 }, { id: '6', count: 1 }, { id: '7', count: 0 }] });
    expect(taskOf(data, 5).subtasks).toEqual([]);
    expect(taskOf(data, 6).subtasks).toEqual([]);
    expect(taskOf(data, 7)).toEqual(smallFile().master.tasks[6]);
  });

  it('removes the dependencies on what was cleared (Task Master leaves 4 → "2.1" dangling)', () => {
    const { data } = run('subtasks.clear', { ids: [2] });
    expect(taskOf(data, 4).dependencies).toEqual([]);
    expect(dangling(data.master)).toEqual([]);
  });

  it('with all, clears every task of the tag and lists those that had subtasks', () => {
    const { data, value } = run('subtasks.clear', { all: true });
    expect(value.cleared).toEqual([{ id: '2', count: 3 }, { id: '5', count: 3 }, { id: '6', count: 1 }]);
    expect(data.master.tasks.filter((t: any) => t.subtasks?.length)).toEqual([]);
    expect(data.other).toEqual(smallFile().other);
  });

  it('changes nothing, metadata included, when there is nothing to clear', () => {
    const before = smallFile();
    const { data } = run('subtasks.clear', { ids: [7] }, before);
    expect(data).toEqual(before);
  });

  it('refuses unknown tasks before clearing any (Task Master clears 5, logs "Task 99 not found" and exits 0)', () => {
    expect(failure('subtasks.clear', { ids: [5, 99] })).toMatchObject({ code: ErrorCode.NotFound, message: 'task 99 not found in tag "master"' });
    expect(failure('subtasks.clear', { ids: ['5.1'] }).message).toBe("ids: 5.1 is a subtask; remove single subtasks with 'taskmaster remove-subtask' (subtask.remove)");
  });
});

describe('subtask ops through a store', () => {
  it('write tasks.json', async () => {
    const project = tempProject(smallFile());
    const store = await openStore(project.root);
    expect(await callDirect(store, 'subtask.add', { parentId: 5, taskId: 7 })).toMatchObject({ id: '5.4' });
    expect(await callDirect(store, 'subtask.remove', { ids: ['5.4'], convert: true })).toMatchObject({ removed: [{ id: '5.4', convertedTo: '9' }] });
    expect(await callDirect(store, 'subtasks.clear', { ids: [2] })).toMatchObject({ cleared: [{ id: '2', count: 3 }] });
    const onDisk = JSON.parse(fs.readFileSync(project.tasksFile, 'utf8'));
    expect(idsOf(onDisk)).toEqual(['1', '2', '3', '4', '5', '6', '8', '9']);
    expect(taskOf(onDisk, 9)).toMatchObject({ title: 'seven', dependencies: [5], priority: 'high' });
    expect(taskOf(onDisk, 2).subtasks).toEqual([]);
    expect(onDisk.master.metadata.updated).not.toBe(OLD);
  });

  it('on the real Task Master file: converting and clearing subtasks leaves a valid file with nothing dangling', async () => {
    const project = fixtureProject();
    const before = JSON.parse(FIXTURE_TEXT).master as TagData;
    // A subtask with dependencies on its siblings that siblings depend on in turn.
    const all = edges(before);
    const target = before.tasks
      .flatMap((t) => (t.subtasks ?? []).map((s) => `${idKey(t.id)}.${idKey(s.id)}`))
      .find((id) => all.some((e) => e.startsWith(`${id} -> `)) && all.some((e) => e.endsWith(` -> ${id}`)))!;
    const parent = target.split('.')[0]!;
    const ownDeps = all.filter((e) => e.startsWith(`${target} -> `)).map((e) => e.split(' -> ')[1]!);
    expect(ownDeps.length).toBeGreaterThan(0);

    const store = await openStore(project.root);
    const result = await callDirect(store, 'subtask.remove', { tag: 'master', ids: [target], convert: true });
    const newId = result.removed[0]!.convertedTo!;
    let after = validateTasksFile(JSON.parse(fs.readFileSync(project.tasksFile, 'utf8'))) as Record<string, TagData>;
    // The new task depends on what the subtask did (as full ids) and on its old parent.
    expect(edges(after.master!).filter((e) => e.startsWith(`${newId} -> `))).toEqual([...ownDeps, parent].map((d) => `${newId} -> ${d}`).sort());
    // Its siblings cannot name a task: their dependencies on it are gone, not left pointing at a missing subtask.
    expect(edges(after.master!).filter((e) => e.endsWith(` -> ${target}`))).toEqual([]);
    expect(dangling(after.master!)).toEqual(dangling(before));

    await callDirect(store, 'subtasks.clear', { tag: 'master', ids: [parent] });
    after = validateTasksFile(JSON.parse(fs.readFileSync(project.tasksFile, 'utf8'))) as Record<string, TagData>;
    expect(after.master!.tasks.find((t) => idKey(t.id) === parent)!.subtasks).toEqual([]);
    expect(edges(after.master!).filter((e) => e.split(' -> ')[1]!.startsWith(`${parent}.`))).toEqual([]);
    expect(dangling(after.master!)).toEqual(dangling(before));
  });
});
