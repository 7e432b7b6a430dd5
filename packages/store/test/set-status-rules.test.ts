import fs from 'node:fs';
import { freeze, produce } from 'immer';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type TasksFile } from '@taskmaster/protocol';
import { callDirect, openStore, taskOps } from '../src/index.js';
import { cleanup, FIXTURE_TEXT, fixtureProject, rejectionOf, tempProject } from './helpers.js';

afterEach(cleanup);

/*
 * Task Master 0.43.1's CLI `set-status` runs tm-core's file storage
 * (`updateTaskStatus` / `updateSubtaskStatusInFile`); its MCP tool runs the
 * older `set-task-status.js`, which differs (there `done` on a parent marks
 * its subtasks done). We follow the CLI, as observed by running it on a file
 * like `smallFile` below.
 */

const NOW = '2026-02-03T04:05:06.000Z';
const OLD = '2025-01-01T00:00:00.000Z';

function smallFile(): any {
  const sub = (id: number, status?: string) => ({ id, title: `s${id}`, description: '', ...(status ? { status } : {}), dependencies: [], details: '' });
  const task = (id: number, extra: object = {}) => ({
    id, title: `t${id}`, description: '', status: 'pending', dependencies: [], priority: 'medium', details: '', testStrategy: '', subtasks: [], ...extra,
  });
  return {
    master: {
      tasks: [
        task(1),
        task(2, { subtasks: [sub(1, 'pending'), sub(2, 'pending'), sub(3, 'pending')] }),
        task(3, { status: 'in-progress', subtasks: [sub(1, 'done'), sub(2, 'cancelled'), sub(3, 'pending')] }),
        { id: 4, title: 't4', description: '', dependencies: [], priority: 'low', details: '', testStrategy: '' },
        task(5, { status: 'done', subtasks: [sub(1, 'done'), sub(2, 'completed')] }),
        task(6, { subtasks: [sub(1), sub(2, 'review')] }),
      ],
      metadata: { created: OLD, updated: OLD, description: 'Main tag' },
    },
    core: {
      tasks: [task(1, { status: 'done' }), task(2)],
      metadata: { version: '1.0.0', lastModified: OLD, taskCount: 7, completedCount: 0, tags: ['core'] },
    },
  };
}

const taskOf = (data: any, id: number) => data.master.tasks.find((t: any) => t.id === id);
const statuses = (task: any) => task.subtasks.map((s: any) => s.status ?? '(none)');

describe('a task', () => {
  it('done on a parent leaves its subtasks as they are; the task gets updatedAt, the tag its updated time', () => {
    const data = smallFile();
    const result = taskOps.setStatus(data, 'master', [2], 'done', NOW);
    expect(result).toEqual({ tag: 'master', tasks: [{ id: '2', from: 'pending', to: 'done' }] });
    expect(taskOf(data, 2).status).toBe('done');
    expect(statuses(taskOf(data, 2))).toEqual(['pending', 'pending', 'pending']);
    expect(taskOf(data, 2).updatedAt).toBe(NOW);
    expect(Object.keys(taskOf(data, 2)).at(-1)).toBe('updatedAt');
    // Task Master replaces the metadata with tm-core's (losing created and description); ours keeps it.
    expect(data.master.metadata).toEqual({ created: OLD, updated: NOW, description: 'Main tag' });
  });

  it('a task without a status gets one (added after its fields, then updatedAt), as Task Master writes it', () => {
    const data = smallFile();
    taskOps.setStatus(data, 'master', [4], 'pending', NOW);
    expect(Object.keys(taskOf(data, 4))).toEqual(['id', 'title', 'description', 'dependencies', 'priority', 'details', 'testStrategy', 'status', 'updatedAt']);
    expect(taskOf(data, 4).status).toBe('pending');
  });

  it('a status it already has changes nothing at all, as Task Master writes nothing', () => {
    const data = smallFile();
    const before = JSON.stringify(data);
    expect(taskOps.setStatus(data, 'master', [1], 'pending', NOW).tasks).toEqual([{ id: '1', from: 'pending', to: 'pending' }]);
    // A subtask without a status counts as pending.
    taskOps.setStatus(data, 'master', ['6.1'], 'pending', NOW);
    expect(JSON.stringify(data)).toBe(before);
  });
});

describe('a subtask moves its parent', () => {
  it('in-progress on a subtask makes a pending parent in-progress; both get updatedAt', () => {
    const data = smallFile();
    const result = taskOps.setStatus(data, 'master', ['2.1'], 'in-progress', NOW);
    expect(result.tasks).toEqual([{ id: '2.1', from: 'pending', to: 'in-progress' }]);
    const parent = taskOf(data, 2);
    expect(parent.status).toBe('in-progress');
    expect(parent.updatedAt).toBe(NOW);
    expect(parent.subtasks[0]).toMatchObject({ status: 'in-progress', updatedAt: NOW });
    expect(parent.subtasks[1].updatedAt).toBeUndefined();
  });

  it('done on a subtask while others are open makes the parent in-progress; done on the last one makes it done', () => {
    const data = smallFile();
    taskOps.setStatus(data, 'master', ['2.1'], 'done', NOW);
    expect(taskOf(data, 2).status).toBe('in-progress');
    taskOps.setStatus(data, 'master', ['2.2', '2.3'], 'done', NOW);
    expect(taskOf(data, 2).status).toBe('done');
  });

  it('reopening a subtask of a done parent makes it in-progress; all subtasks back to pending make it pending', () => {
    const data = smallFile();
    taskOps.setStatus(data, 'master', ['5.1'], 'pending', NOW);
    expect(taskOf(data, 5).status).toBe('in-progress');
    taskOps.setStatus(data, 'master', ['5.2'], 'pending', NOW);
    expect(taskOf(data, 5).status).toBe('pending');
  });

  it('counts completed as done', () => {
    const data = smallFile();
    taskOps.setStatus(data, 'master', ['5.1'], 'review', NOW);
    taskOps.setStatus(data, 'master', ['5.1'], 'done', NOW);
    expect(taskOf(data, 5).status).toBe('done');
  });

  it('leaves the parent status alone when no rule fits, and still sets its updatedAt', () => {
    const data = smallFile();
    // 6.1 (no status, so pending) → deferred: subtasks deferred + review, none done or in progress.
    taskOps.setStatus(data, 'master', ['6.1'], 'deferred', NOW);
    expect(taskOf(data, 6)).toMatchObject({ status: 'pending', updatedAt: NOW });
  });

  it('does not count cancelled as done, as Task Master (its parent stays in-progress even when nothing is left to do)', () => {
    // 3.1 done, 3.2 cancelled: finishing 3.3 leaves 3 in-progress, not done. Task Master's own
    // isTaskComplete counts cancelled as finished; its roll-up does not, and we match the roll-up.
    const data = smallFile();
    taskOps.setStatus(data, 'master', ['3.3'], 'done', NOW);
    expect(taskOf(data, 3).status).toBe('in-progress');
    // Not all pending (3.2 is cancelled): 3 keeps its status.
    taskOps.setStatus(data, 'master', ['3.1', '3.3'], 'pending', NOW);
    expect(taskOf(data, 3).status).toBe('in-progress');
  });

  it('applies the ids in the order given, one after the other, as Task Master does', () => {
    const subtaskLast = smallFile();
    taskOps.setStatus(subtaskLast, 'master', [5, '5.1'], 'pending', NOW);
    // 5 → pending, then 5.1 → pending with 5.2 still completed: the parent follows to in-progress.
    expect(taskOf(subtaskLast, 5).status).toBe('in-progress');
    const parentLast = smallFile();
    taskOps.setStatus(parentLast, 'master', ['5.1', 5], 'pending', NOW);
    expect(taskOf(parentLast, 5).status).toBe('pending');
  });
});

describe('the tag metadata', () => {
  it('keeps tm-core\'s metadata shape, refreshing lastModified and its counts (done only, as tm-core counts)', () => {
    const data = smallFile();
    taskOps.setStatus(data, 'core', [2], 'done', NOW);
    expect(data.core.metadata).toEqual({ version: '1.0.0', lastModified: NOW, taskCount: 2, completedCount: 2, tags: ['core'] });
  });
});

describe('all or nothing', () => {
  it('refuses the whole call when one id is missing or the status is not one Task Master takes', () => {
    // Task Master writes the ids before the missing one, then fails; ours writes none of them.
    const data = smallFile();
    const before = JSON.stringify(data);
    const missing = (() => {
      try {
        taskOps.setStatus(data, 'master', ['2.1', 9], 'done', NOW);
      } catch (err) {
        return err as { code: number; message: string };
      }
    })();
    expect(missing).toMatchObject({ code: ErrorCode.NotFound, message: 'task 9 not found in tag "master"' });
    expect(JSON.stringify(data)).toBe(before);
    expect(() => taskOps.setStatus(data, 'master', [1], 'finished', NOW)).toThrow(/^status: invalid status "finished"/);
    expect(JSON.stringify(data)).toBe(before);
  });
});

describe('in a draft, as a server runs it', () => {
  it('gives the same file as on plain data, and shares every task it did not touch', () => {
    const base = freeze(smallFile(), true);
    const ids = ['2.1', 5, '6.2', 4];
    const after: any = produce(base, (d: TasksFile) => {
      taskOps.setStatus(d, 'master', ids, 'done', NOW);
    });
    const plain = smallFile();
    taskOps.setStatus(plain, 'master', ids, 'done', NOW);
    expect(after).toEqual(plain);
    expect(taskOf(after, 1)).toBe(taskOf(base, 1));
    expect(taskOf(after, 3)).toBe(taskOf(base, 3));
    expect(after.core).toBe(base.core);
  });
});

describe('through a store', () => {
  it('writes the parent that followed its subtask to tasks.json', async () => {
    const project = tempProject(smallFile());
    const store = await openStore(project.root);
    const result = await callDirect(store, 'task.setStatus', { ids: ['2.1', '2.2', '2.3'], status: 'done', tag: 'master' });
    expect(result.tasks.map((t) => t.id)).toEqual(['2.1', '2.2', '2.3']);
    const onDisk = JSON.parse(fs.readFileSync(project.tasksFile, 'utf8'));
    const parent = onDisk.master.tasks[1];
    expect(parent.status).toBe('done');
    expect(parent.updatedAt).toBe(onDisk.master.metadata.updated);
    expect(Date.parse(parent.updatedAt)).not.toBeNaN();
    expect(onDisk.core).toEqual(smallFile().core);

    const before = fs.readFileSync(project.tasksFile, 'utf8');
    const err = await rejectionOf(callDirect(store, 'task.setStatus', { ids: [1, '2.9'], status: 'review', tag: 'master' }));
    expect(err.code).toBe(ErrorCode.NotFound);
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(before);
  });

  it('on the real Task Master file: finishing the last open subtask of a loop task finishes it; other tags are byte for byte as before', async () => {
    const project = fixtureProject();
    const store = await openStore(project.root);
    const loop = JSON.parse(FIXTURE_TEXT).loop;
    const task = loop.tasks.find((t: any) => t.status === 'in-progress' && t.subtasks.filter((s: any) => s.status !== 'done').length === 1);
    const open = task.subtasks.find((s: any) => s.status !== 'done');
    await callDirect(store, 'task.setStatus', { ids: [`${task.id}.${open.id}`], status: 'done', tag: 'loop' });
    const text = fs.readFileSync(project.tasksFile, 'utf8');
    const after = JSON.parse(text);
    const changed = after.loop.tasks.find((t: any) => t.id === task.id);
    expect(changed.status).toBe('done');
    expect(Object.keys(changed)).toEqual(Object.keys(task));
    expect(after.loop.metadata).toEqual({ ...loop.metadata, lastModified: changed.updatedAt, completedCount: loop.metadata.completedCount + 1 });
    // Everything before the loop tag is the old bytes.
    const loopStart = FIXTURE_TEXT.indexOf('\n  "loop": {');
    expect(text.slice(0, loopStart)).toBe(FIXTURE_TEXT.slice(0, loopStart));
    // And in loop, every task but the changed one.
    for (const t of after.loop.tasks.filter((x: any) => x.id !== task.id)) expect(t).toEqual(loop.tasks.find((x: any) => x.id === t.id));
  });
});
