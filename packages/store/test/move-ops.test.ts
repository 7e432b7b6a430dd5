import fs from 'node:fs';
import { freeze, produce } from 'immer';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ErrorCode,
  idKey,
  validateTasksFile,
  type TagData,
  type TaskId,
  type TasksFile,
  type WriteMethodName,
} from '@taskmaster/protocol';
import { callDirect, openStore, writeOps } from '../src/index.js';
import { ctxFor, dangling, edges, NOW, runOp } from './op-harness.js';
import { cleanup, FIXTURE_TEXT, fixtureProject, rejectionOf, tempProject } from './helpers.js';

afterEach(cleanup);

const run = <M extends WriteMethodName>(method: M, params: unknown, data: any = smallFile(), tag = 'master') => runOp(method, params, data, tag);

/*
 * What Task Master 0.43.1 does was observed by running its CLI
 * (`task-master move …`) on the same small file (`smallFile` below); each
 * test says where we differ and why.
 */

const OLD = '2025-01-01T00:00:00.000Z';

/** Tasks 1–8 in master (subtasks under 2, 5, 6; deps of every form), and a backlog tag holding 5 and 9. */
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
          details: 'det2',
          testStrategy: 'ts2',
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
          details: 'det5',
          testStrategy: 'ts5',
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
    backlog: {
      tasks: [task(5, 'b-five'), task(9, 'b-nine')],
      metadata: { created: OLD, updated: OLD, description: 'backlog' },
    },
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

const tasksOf = (data: any, tag = 'master') => data[tag].tasks as any[];
const taskOf = (data: any, id: TaskId, tag = 'master') => tasksOf(data, tag).find((t) => idKey(t.id) === idKey(id));
const idsOf = (data: any, tag = 'master') => tasksOf(data, tag).map((t) => idKey(t.id));



describe('task.move within a tag: task to a new id', () => {
  it('renumbers the task with its subtasks, puts it last, and makes every dependency on it follow', () => {
    const { data, value } = run('task.move', { from: [5], to: [10] });
    expect(value).toEqual({ tag: 'master', moved: [{ from: '5', to: '10' }] });
    // As Task Master: the task goes to the end of the list, its fields and subtasks unchanged but the id.
    expect(idsOf(data)).toEqual(['1', '2', '3', '4', '6', '7', '8', '10']);
    const moved = taskOf(data, 10);
    expect(Object.keys(moved)).toEqual(Object.keys(smallFile().master.tasks[4]));
    expect(moved.subtasks.map((s: any) => s.dependencies)).toEqual([[], [1], ['10.1', 2]]);
    expect(taskOf(data, 6).dependencies).toEqual([10]);
    // Task Master rewrites only numeric `5`; it leaves 8's "5" and 6.1's "5.2" pointing at a task that is gone.
    expect(taskOf(data, 8).dependencies).toEqual(['10', 6]);
    expect(taskOf(data, 6).subtasks[0].dependencies).toEqual(['10.2']);
    expect(dangling(data.master)).toEqual([]);
    expect(data.master.metadata.updated).toBe(NOW);
    expect(data.backlog).toEqual(smallFile().backlog);
  });

  it('refuses an id in use, as Task Master does, naming the next free one', () => {
    const err = failure('task.move', { from: [5], to: [7] });
    expect(err.code).toBe(ErrorCode.InvalidParams);
    expect(err.message).toMatch(/task 7 already exists in tag "master".*next one is 9/);
  });

  it('treats a move onto the same id as nothing to do (Task Master calls 5 → 5 "already exists")', () => {
    const before = smallFile();
    const { data, value } = run('task.move', { from: [5, '5.2'], to: ['5', '5.2'] }, before);
    expect(value.moved).toEqual([
      { from: '5', to: '5' },
      { from: '5.2', to: '5.2' },
    ]);
    // Task Master's 5.2 → 5.2 moves the subtask one place down; here the file is left as it was.
    expect(data).toEqual(before);
  });

  it('moves several pairs in order, each seeing the ones before (`--from=5,6 --to=10,11`)', () => {
    const { data, value } = run('task.move', { from: [5, 6], to: [10, 11] });
    expect(value.moved).toEqual([
      { from: '5', to: '10' },
      { from: '6', to: '11' },
    ]);
    expect(idsOf(data)).toEqual(['1', '2', '3', '4', '7', '8', '10', '11']);
    expect(taskOf(data, 11).dependencies).toEqual([10]);
    expect(taskOf(data, 8).dependencies).toEqual(['10', 11]);
    expect(taskOf(data, 11).subtasks[0].dependencies).toEqual(['10.2']);
  });

  it('moves all pairs or none: Task Master moves 6 → 11 and then reports 5 → 7 as failed', () => {
    const before = smallFile();
    const err = failure('task.move', { from: [5, 6], to: [7, 11] }, before);
    expect(err.code).toBe(ErrorCode.InvalidParams);
    expect(err.message).toContain('task 7 already exists');
  });

  it('resolves dependencies against the file before the whole batch, so an id freed and reused is not confused', () => {
    // 3 → 20, then subtask 2.2 becomes the new task 3.
    const { data } = run('task.move', { from: [3, '2.2'], to: [20, 3] });
    expect(idsOf(data)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '20']);
    expect(taskOf(data, 3).title).toBe('two-b');
    expect(taskOf(data, 5).dependencies).toEqual([20]); // 5 depended on the old 3
    expect(taskOf(data, 3).dependencies).toEqual(['2.1']); // the new 3 depends on what 2.2 did
  });

  it('keeps string ids and dependencies as strings', () => {
    const file = {
      loop: {
        tasks: [
          { id: '1', title: 'a', status: 'pending', dependencies: [], subtasks: [{ id: '1', title: 'a1', dependencies: [] }] },
          { id: '2', title: 'b', status: 'pending', dependencies: ['1'], subtasks: [] },
        ],
      },
    };
    const { data } = run('task.move', { from: ['1'], to: ['5'] }, file, 'loop');
    expect(tasksOf(data, 'loop').map((t) => t.id)).toEqual(['2', '5']);
    expect(taskOf(data, '2', 'loop').dependencies).toEqual(['5']);
  });
});

describe('task.move within a tag: task to subtask', () => {
  it('makes it the last subtask of the new parent with Task Master fields, keeping fields Task Master drops', () => {
    const { data, value } = run('task.move', { from: [4], to: ['7.1'] });
    expect(value.moved).toEqual([{ from: '4', to: '7.1' }]);
    expect(idsOf(data)).toEqual(['1', '2', '3', '5', '6', '7', '8']);
    // Task Master: id, title, description, status, dependencies, details, testStrategy (priority and subtasks go);
    // it also drops fields it does not know, like `owner`: kept here.
    expect(taskOf(data, 7).subtasks).toEqual([
      { id: 1, title: 'four', description: 'd4', status: 'pending', dependencies: ['2.1'], details: '', testStrategy: '', owner: 'ana' },
    ]);
  });

  it('points dependents at the subtask and drops its own dependencies on tasks, which a subtask cannot name', () => {
    const { data } = run('task.move', { from: [3], to: ['2.4'] });
    const sub = taskOf(data, 2).subtasks[3];
    expect(sub).toMatchObject({ id: 4, title: 'three' });
    // Task Master keeps [1, 2]: in a subtask those name its siblings 2.1 and 2.2, not tasks 1 and 2.
    expect(sub.dependencies).toEqual([]);
    // Task Master leaves 5 depending on 3, which no longer exists.
    expect(taskOf(data, 5).dependencies).toEqual(['2.4']);
    expect(dangling(data.master)).toEqual([]);
  });

  it('refuses a task that has subtasks (Task Master silently deletes them)', () => {
    const err = failure('task.move', { from: [5], to: ['2.4'] });
    expect(err.code).toBe(ErrorCode.InvalidParams);
    expect(err.message).toMatch(/task 5 has 3 subtasks, and a subtask cannot have subtasks/);
  });

  it('refuses a subtask id in use (Task Master adds a second 2.2)', () => {
    const err = failure('task.move', { from: [7], to: ['2.2'] });
    expect(err.code).toBe(ErrorCode.InvalidParams);
    expect(err.message).toMatch(/subtask 2\.2 already exists.*next one is 2\.4/);
  });

  it('refuses to nest a task under itself or under a task that depends on it', () => {
    expect(failure('task.move', { from: [7], to: ['7.1'] }).message).toMatch(/task 7 cannot become a subtask of itself/);
    // 5 depends on 3: as 5's subtask, 3 would have to be done before 5 that contains it (subtask.add refuses it too).
    expect(failure('task.move', { from: [3], to: ['5.4'] }).message).toMatch(/task 5 depends on task 3.*circular/);
  });
});

describe('task.move within a tag: subtask to task', () => {
  it('becomes a task with Task Master fields, placed before the first higher id', () => {
    const { data, value } = run('task.move', { from: ['2.2'], to: [10] });
    expect(value.moved).toEqual([{ from: '2.2', to: '10' }]);
    expect(idsOf(data)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '10']);
    // Task Master writes dependencies [1]: as a task's that is task 1, but the subtask meant its sibling 2.1.
    expect(taskOf(data, 10)).toEqual({
      id: 10, title: 'two-b', description: '', status: 'pending', dependencies: ['2.1'], priority: 'medium', details: '', testStrategy: '', subtasks: [],
    });
    expect(taskOf(data, 2).subtasks.map((s: any) => s.id)).toEqual([1, 3]);
    // 2.3 depended on 2.2; a subtask cannot name task 10, so that dependency goes (Task Master leaves "2.2", now missing).
    expect(taskOf(data, 2).subtasks[1].dependencies).toEqual([1]);
    expect(dangling(data.master)).toEqual([]);
  });

  it('refuses a task id in use, as Task Master does', () => {
    const err = failure('task.move', { from: ['2.2'], to: [7] });
    expect(err.code).toBe(ErrorCode.InvalidParams);
    expect(err.message).toContain('task 7 already exists');
  });
});

describe('task.move within a tag: subtask to subtask', () => {
  it('moves a subtask to another parent and keeps every dependency on and of it', () => {
    const before = smallFile();
    const { data, value } = run('task.move', { from: ['5.2'], to: ['2.4'] }, before);
    expect(value.moved).toEqual([{ from: '5.2', to: '2.4' }]);
    expect(taskOf(data, 2).subtasks.at(-1)).toEqual({ id: 4, title: 'five-b', description: 'fb', details: 'x', status: 'pending', dependencies: ['5.1'] });
    // Task Master keeps [1] (now its new sibling 2.1), and leaves 5.3's `2` and 6.1's "5.2" dangling.
    expect(taskOf(data, 5).subtasks.map((s: any) => s.dependencies)).toEqual([[], ['5.1', '2.4']]);
    expect(taskOf(data, 6).subtasks[0].dependencies).toEqual(['2.4']);
    const rename = (e: string) => e.replace(/\b5\.2\b/g, '2.4').replace(/^2\.4 -> 2\.1$/, '2.4 -> 5.1');
    expect(edges(data.master)).toEqual(edges(before.master).map(rename).sort());
  });

  it('does not turn a sibling dependency into a dependency on itself (Task Master does: 7.1 depending on 1)', () => {
    const { data } = run('task.move', { from: ['5.2'], to: ['7.1'] });
    expect(taskOf(data, 7).subtasks).toEqual([{ id: 1, title: 'five-b', description: 'fb', details: 'x', status: 'pending', dependencies: ['5.1'] }]);
  });

  it("updates parentTaskId, which Task Master leaves naming the old parent", () => {
    const { data } = run('task.move', { from: ['2.1'], to: ['7.1'] });
    expect(taskOf(data, 7).subtasks[0]).toMatchObject({ id: 1, title: 'two-a', parentTaskId: 7 });
    expect(taskOf(data, 4).dependencies).toEqual(['7.1']);
  });

  it('refuses a subtask id in use in the other parent (Task Master adds a second 2.2)', () => {
    expect(failure('task.move', { from: ['5.2'], to: ['2.2'] }).message).toMatch(/subtask 2\.2 already exists/);
  });

  it('reorders within the same parent as Task Master: after the target, ids unchanged; to the end when there is none', () => {
    const order = (params: unknown) => taskOf(run('task.move', params).data, 5).subtasks.map((s: any) => s.id);
    expect(order({ from: ['5.1'], to: ['5.3'] })).toEqual([2, 3, 1]);
    expect(order({ from: ['5.3'], to: ['5.1'] })).toEqual([1, 3, 2]);
    expect(order({ from: ['5.1'], to: ['5.7'] })).toEqual([2, 3, 1]);
    const { data, value } = run('task.move', { from: ['5.1'], to: ['5.7'] });
    expect(value.moved).toEqual([{ from: '5.1', to: '5.1' }]);
    expect(edges(data.master)).toEqual(edges(smallFile().master));
  });
});

describe('task.move errors', () => {
  it('answers 1008 for a task or tag that does not exist, -32602 for bad ids', () => {
    expect(failure('task.move', { from: [99], to: [10] })).toMatchObject({ code: ErrorCode.NotFound, message: 'task 99 not found in tag "master"' });
    expect(failure('task.move', { from: ['5.9'], to: [10] }).code).toBe(ErrorCode.NotFound);
    expect(failure('task.move', { from: ['5.1'], to: ['99.1'] }).code).toBe(ErrorCode.NotFound);
    expect(failure('task.move', { from: [5], to: [10] }, undefined, 'nope')).toMatchObject({ code: ErrorCode.NotFound, message: expect.stringContaining('tags: master, backlog') });
    expect(failure('task.move', { from: ['x'], to: [10] }).code).toBe(ErrorCode.InvalidParams);
    expect(failure('task.move', { from: [5, 5], to: [10, 11] }).message).toContain('5 is given twice');
    expect(failure('task.move', { from: [5], to: [10], withDependencies: true }).message).toContain('toTag');
  });
});

describe('task.move to another tag', () => {
  it('moves a task to a new tag, with the tag and move history Task Master adds', () => {
    const { data, value } = run('task.move', { from: [7], toTag: 'feature' });
    expect(value).toEqual({ tag: 'master', toTag: 'feature', moved: [{ from: '7', to: '7' }] });
    expect(idsOf(data)).toEqual(['1', '2', '3', '4', '5', '6', '8']);
    expect(data.feature.tasks).toEqual([
      { ...smallFile().master.tasks[6], tag: 'feature', metadata: { moveHistory: [{ fromTag: 'master', toTag: 'feature', timestamp: NOW }] } },
    ]);
    // Task Master gives a tag it creates `metadata: {}`; here it gets the metadata tag.add writes.
    expect(data.feature.metadata).toEqual({ created: NOW, updated: NOW, description: 'Tasks for feature context' });
    expect(data.master.metadata.updated).toBe(NOW);
  });

  it('refuses a move that would break dependencies, either way, naming them', () => {
    // Task Master checks only the moved task's own dependencies (3 → 1, 2), not 5 → 3.
    const err = failure('task.move', { from: [3], toTag: 'feature' });
    expect(err.code).toBe(ErrorCode.InvalidParams);
    expect(err.message).toContain('3 depends on 1; 3 depends on 2; 5 depends on 3');
    expect(err.message).toContain('withDependencies');
    // Task Master moves task 1 and leaves 2 and 3 depending on a task that is no longer in master.
    expect(failure('task.move', { from: [1], toTag: 'feature' }).message).toContain('2 depends on 1; 3 depends on 1');
  });

  it('with withDependencies brings what the tasks depend on, depth first as Task Master orders them', () => {
    // Tasks that stay but depend on moved ones (4 on 2.1, 5 on 3) still need ignoreDependencies;
    // Task Master moves them anyway and leaves those dependencies dangling.
    expect(failure('task.move', { from: [3], toTag: 'feature', withDependencies: true }).message).toMatch(/4 depends on 2\.1; 5 depends on 3\).*ignoreDependencies/);
    const { data, value } = run('task.move', { from: [3], toTag: 'feature', withDependencies: true, ignoreDependencies: true });
    expect(value.moved.map((m: any) => m.from)).toEqual(['3', '1', '2']);
    expect(idsOf(data, 'feature')).toEqual(['3', '1', '2']);
    expect(taskOf(data, 3, 'feature').dependencies).toEqual([1, 2]);
    expect(taskOf(data, 2, 'feature').subtasks).toHaveLength(3);
    expect(taskOf(data, 4).dependencies).toEqual([]);
    expect(taskOf(data, 5).dependencies).toEqual([]);
    expect(dangling(data.master)).toEqual([]);
    expect(dangling(data.feature)).toEqual([]);
  });

  it('with ignoreDependencies removes the dependencies that would cross, and keeps those between tasks moved together', () => {
    const { data } = run('task.move', { from: [6, 5], toTag: 'feature', ignoreDependencies: true });
    expect(idsOf(data, 'feature')).toEqual(['6', '5']);
    // Task Master drops 6 → 5 too, though both move.
    expect(taskOf(data, 6, 'feature').dependencies).toEqual([5]);
    expect(taskOf(data, 6, 'feature').subtasks[0].dependencies).toEqual(['5.2']);
    expect(taskOf(data, 5, 'feature').dependencies).toEqual([]); // 3 stays in master
    expect(taskOf(data, 8).dependencies).toEqual([]); // Task Master leaves ["5", 6] dangling
    expect(dangling(data.master)).toEqual([]);
  });

  it('refuses ids the target tag already has, as Task Master does', () => {
    const ok = run('task.move', { from: [9], toTag: 'master' }, undefined, 'backlog');
    expect(idsOf(ok.data)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(idsOf(ok.data, 'backlog')).toEqual(['5']);
    const clash = failure('task.move', { from: [5], toTag: 'master' }, undefined, 'backlog');
    expect(clash).toMatchObject({ code: ErrorCode.InvalidParams, message: expect.stringContaining('task 5 already exists in tag "master"') });
  });

  it('refuses subtasks, the same tag, and a new tag in an untagged file', () => {
    expect(failure('task.move', { from: ['2.1'], toTag: 'feature' }).message).toMatch(/2\.1 is a subtask.*'taskmaster remove-subtask --id 2\.1 --convert', or subtask\.remove with convert/);
    expect(failure('task.move', { from: [7], toTag: 'master' }).message).toContain('already in tag "master"');
    expect(failure('task.move', { from: [99], toTag: 'feature' }).code).toBe(ErrorCode.NotFound);
    expect(failure('task.move', { from: [7], toTag: 'feature' }, undefined, 'nope').code).toBe(ErrorCode.NotFound);
    const legacy = { tasks: smallFile().master.tasks };
    expect(failure('task.move', { from: [7], toTag: 'feature' }, legacy).message).toContain('untagged format');
    expect(idsOf({ master: run('task.move', { from: [7], to: [20] }, legacy).data })).toContain('20');
  });
});

it('leaves the moved tasks usable by later ops of the same transaction (they stay drafts, not frozen copies)', () => {
  const base = freeze(smallFile(), true);
  const after = produce(base, (d: TasksFile) => {
    writeOps['task.move'](d, { from: ['5'], to: ['10'] }, ctxFor('master'));
    // 1 kept its place, 6 moved up one, 10 is new.
    writeOps['task.setStatus'](d, { ids: ['1', '6', '10'], status: 'review' }, ctxFor('master'));
    writeOps['subtask.add'](d, { parentId: 10, task: { title: 'more' } }, ctxFor('master'));
  });
  for (const id of [1, 6, 10]) expect(taskOf(after, id).status).toBe('review');
  expect(taskOf(base, 6).status).toBe('pending');
  expect(taskOf(after, 10).subtasks.map((s: any) => s.id)).toEqual([1, 2, 3, 4]);
  // Tasks no op touched are the very objects of the file before.
  expect(taskOf(after, 7)).toBe(taskOf(base, 7));
});

describe('task.move through a store', () => {
  it('writes the move to tasks.json', async () => {
    const project = tempProject(smallFile());
    const store = await openStore(project.root);
    const result = await callDirect(store, 'task.move', { from: ['5.2', 7], to: [9, '9.1'] });
    expect(result.moved).toEqual([
      { from: '5.2', to: '9' },
      { from: '7', to: '9.1' },
    ]);
    const onDisk = JSON.parse(fs.readFileSync(project.tasksFile, 'utf8'));
    expect(taskOf(onDisk, 9)).toMatchObject({ title: 'five-b', dependencies: ['5.1'], subtasks: [{ id: 1, title: 'seven' }] });
    expect(onDisk.master.metadata.updated).not.toBe(OLD);
    const err = await rejectionOf(callDirect(store, 'task.move', { from: [1], to: [2] }));
    expect(err.code).toBe(ErrorCode.InvalidParams);
  });

  it('moves a task of the real Task Master file with its subtasks and dependents; every dependency follows', async () => {
    const project = fixtureProject();
    const before = JSON.parse(FIXTURE_TEXT).master as TagData;
    // The task of master with subtasks that most tasks depend on.
    const dependents = (id: string) => edges(before).filter((e) => e.split(' -> ')[1]!.split('.')[0] === id && !e.startsWith(`${id}.`)).length;
    const candidates = before.tasks.filter((t) => (t.subtasks?.length ?? 0) > 1).map((t) => idKey(t.id));
    const chosen = candidates.sort((a, b) => dependents(b) - dependents(a))[0]!;
    expect(dependents(chosen)).toBeGreaterThan(0);
    const free = String(Math.max(...before.tasks.map((t) => Number(t.id))) + 1);

    const store = await openStore(project.root);
    const result = await callDirect(store, 'task.move', { tag: 'master', from: [chosen], to: [free] });
    expect(result.moved).toEqual([{ from: chosen, to: free }]);
    const text = fs.readFileSync(project.tasksFile, 'utf8');
    const after = validateTasksFile(JSON.parse(text)) as Record<string, TagData>;
    const rename = (id: string) => (id === chosen ? free : id.startsWith(`${chosen}.`) ? `${free}${id.slice(chosen.length)}` : id);
    const renamed = edges(before).map((e) => e.split(' -> ').map(rename).join(' -> '));
    expect(edges(after.master!)).toEqual(renamed.sort());
    expect(after.master!.tasks.at(-1)!.subtasks).toHaveLength(before.tasks.find((t) => idKey(t.id) === chosen)!.subtasks!.length);
    // The other tags are untouched.
    const original = JSON.parse(FIXTURE_TEXT);
    for (const tag of Object.keys(original)) if (tag !== 'master') expect(after[tag]).toEqual(original[tag]);
  });

  it('moves a subtask of the real file to another parent and a task to another tag, leaving nothing dangling', async () => {
    const project = fixtureProject();
    const original = JSON.parse(FIXTURE_TEXT);
    const before = original.master as TagData;
    // A subtask that others depend on, moved under the last task.
    const depended = edges(before).map((e) => e.split(' -> ')[1]!).find((t) => t.includes('.') && before.tasks.some((x) => idKey(x.id) === t.split('.')[0]))!;
    const last = before.tasks.at(-1)!;
    const to = `${idKey(last.id)}.${(last.subtasks?.length ?? 0) + 100}`;
    const store = await openStore(project.root);
    await callDirect(store, 'task.move', { tag: 'master', from: [depended], to: [to] });
    let after = JSON.parse(fs.readFileSync(project.tasksFile, 'utf8'));
    const ref = (e: string) => e.split(' -> ')[1];
    const onIt = edges(before).filter((e) => ref(e) === depended).map((e) => e.split(' -> ')[0]);
    expect(onIt.length).toBeGreaterThan(0);
    for (const holder of onIt) expect(edges(after.master)).toContain(`${holder} -> ${to}`);
    expect(dangling(after.master)).toEqual(dangling(before));

    // tm-core-phase-1 → a new tag, breaking its dependencies on purpose.
    const phase = original['tm-core-phase-1'] as TagData;
    const id = idKey(phase.tasks[1]!.id);
    const result = await callDirect(store, 'task.move', { tag: 'tm-core-phase-1', from: [id], toTag: 'moved-out', ignoreDependencies: true });
    expect(result.moved).toEqual([{ from: id, to: id }]);
    after = validateTasksFile(JSON.parse(fs.readFileSync(project.tasksFile, 'utf8')));
    expect(after['moved-out'].tasks.map((t: any) => idKey(t.id))).toEqual([id]);
    expect(after['moved-out'].tasks[0].subtasks).toEqual(
      phase.tasks[1]!.subtasks!.map((s) => ({ ...s, dependencies: (s.dependencies ?? []).filter((d) => !idKey(d).includes('.') || idKey(d).startsWith(`${id}.`)) })),
    );
    expect(dangling(after['tm-core-phase-1'])).toEqual([]);
    expect(dangling(after['moved-out'])).toEqual([]);
  });
});

describe('task.reorder: the order of a tag, ids unchanged', () => {
  const ids = (data: any, tag = 'master') => data[tag].tasks.map((t: any) => t.id);
  const file = () => ({
    master: {
      tasks: [1, 2, 3, 4].map((id) => ({ id, title: `Task ${id}`, status: 'pending', dependencies: [], subtasks: id === 2 ? [1, 2, 3].map((s) => ({ id: s, title: `Sub ${s}`, status: 'pending', dependencies: [] })) : [] })),
    },
  });

  it('puts a task before another, or last, and keeps every id and dependency', () => {
    expect(ids(runOp('task.reorder', { id: 4, before: 2 }, file()).data)).toEqual([1, 4, 2, 3]);
    expect(ids(runOp('task.reorder', { id: 1, before: 4 }, file()).data)).toEqual([2, 3, 1, 4]);
    const { data, value } = runOp('task.reorder', { id: 1, before: null }, file());
    expect(ids(data)).toEqual([2, 3, 4, 1]);
    expect(value).toEqual({ tag: 'master', id: '1', index: 3 });
  });

  it('reorders subtasks among their siblings, the sibling named as 3 or "2.3"', () => {
    const subIds = (data: any) => data.master.tasks[1].subtasks.map((s: any) => s.id);
    expect(subIds(runOp('task.reorder', { id: '2.1', before: 3 }, file()).data)).toEqual([2, 1, 3]);
    expect(subIds(runOp('task.reorder', { id: '2.3', before: '2.1' }, file()).data)).toEqual([3, 1, 2]);
  });

  it('refuses a place that is not a sibling, and changes nothing', () => {
    expect(failure('task.reorder', { id: 1, before: '2.1' }, file())).toMatchObject({ code: -32602 });
    expect(failure('task.reorder', { id: '2.1', before: 4 }, file())).toMatchObject({ code: -32602 });
    expect(failure('task.reorder', { id: 9, before: null }, file())).toMatchObject({ code: 1008 });
  });
});
