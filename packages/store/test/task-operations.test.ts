import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, taskOps } from '../src/index.js';
import { cleanup, FIXTURE_TEXT, fixtureProject, rejectionOf, tempProject } from './helpers.js';

afterEach(cleanup);

const fixture = () => JSON.parse(FIXTURE_TEXT);

/** A small tagged project: tasks 1–3, task 2 with subtasks 2.1–2.3. */
function smallFile() {
  return {
    master: {
      tasks: [
        { id: 1, title: 'one', description: '', status: 'done', dependencies: [], priority: 'high', details: '', testStrategy: '', subtasks: [], owner: 'ana' },
        {
          id: 2,
          title: 'two',
          status: 'pending',
          dependencies: [1],
          subtasks: [
            { id: 1, title: 'two-a', status: 'pending', dependencies: [] },
            { id: 2, title: 'two-b', status: 'pending', dependencies: [1] },
            { id: 3, title: 'two-c', status: 'pending', dependencies: ['2.2', 2] },
          ],
        },
        { id: 3, title: 'three', status: 'pending', dependencies: ['1', 2, '2.1'], subtasks: [{ id: 1, title: 'three-a', dependencies: ['2.3', '1.1'] }] },
      ],
      metadata: { created: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:00:00.000Z', description: 'main' },
    },
    other: { tasks: [], metadata: { version: '1.0.0', lastModified: '2025-01-01T00:00:00.000Z' } },
  };
}

const readFile = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('creating tasks', () => {
  it('gives a new task the next id in its tag, defaults, and Task Master key order', async () => {
    const project = fixtureProject();
    const store = await openStore(project.root);
    const maxId = Math.max(...fixture()['tm-core-phase-1'].tasks.map((t: any) => Number(t.id)));
    const { value, written } = await store.create({ title: 'New work', team: 'core' }, { tag: 'tm-core-phase-1' });
    expect(written).toBe(true);
    expect(value.id).toBe(String(maxId + 1));
    expect(Object.keys(value.task)).toEqual(['id', 'title', 'description', 'status', 'dependencies', 'priority', 'details', 'testStrategy', 'subtasks', 'team']);
    expect(value.task).toMatchObject({ status: 'pending', priority: 'medium', dependencies: [], details: '', testStrategy: '', subtasks: [] });
    const onDisk = readFile(project.tasksFile)['tm-core-phase-1'].tasks.at(-1);
    expect(onDisk).toEqual(value.task);
  });

  it('keeps string ids in a tag that uses them', async () => {
    const store = await openStore(fixtureProject().root);
    const { value } = await store.create({ title: 'Loop task' }, { tag: 'loop' });
    expect(typeof value.task.id).toBe('string');
  });

  it('creates a subtask with the next id within its parent and parentTaskId', async () => {
    const project = tempProject(smallFile());
    const store = await openStore(project.root);
    const { value } = await store.create({ title: 'two-d', dependencies: [1, '3.1'] }, { tag: 'master', parentId: 2 });
    expect(value.id).toBe('2.4');
    expect(Object.keys(value.task)).toEqual(['id', 'title', 'description', 'details', 'status', 'dependencies', 'parentTaskId']);
    expect(value.task).toMatchObject({ id: 4, parentTaskId: 2, status: 'pending' });
    expect(readFile(project.tasksFile).master.tasks[1].subtasks).toHaveLength(4);
  });

  it('creates a tag that does not exist yet, with metadata', async () => {
    const project = tempProject(smallFile());
    const store = await openStore(project.root);
    await store.create({ title: 'fresh' }, { tag: 'feature-x' });
    const tag = readFile(project.tasksFile)['feature-x'];
    expect(tag.tasks.map((t: any) => [t.id, t.title])).toEqual([[1, 'fresh']]);
    expect(tag.metadata).toEqual(expect.objectContaining({ created: expect.any(String), description: expect.stringContaining('feature-x') }));
  });

  it('rejects dependencies that do not exist, writing nothing', async () => {
    const project = tempProject(smallFile());
    const before = fs.readFileSync(project.tasksFile, 'utf8');
    const store = await openStore(project.root);
    const err = await rejectionOf(store.create({ title: 'x', dependencies: [42] }, { tag: 'master' }));
    expect(err.code).toBe(-32602);
    expect(err.message).toContain('task 42 not found in tag "master"');
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(before);
  });

  it('rejects a task without a title, naming the field', async () => {
    const store = await openStore(tempProject(smallFile()).root);
    const err = await rejectionOf(store.create({ description: 'no title' } as any, { tag: 'master' }));
    expect(err.code).toBe(-32602);
    expect(err.message).toMatch(/^title: /);
  });
});

describe('updating tasks', () => {
  it('keeps unknown fields when a task is updated', async () => {
    const project = fixtureProject();
    const store = await openStore(project.root);
    const original = fixture().master.tasks[0];
    const { value } = await store.update(original.id, { title: 'Renamed', reviewer: 'sam' }, { tag: 'master' });
    expect(value.changed).toEqual(['title', 'reviewer']);
    const onDisk = readFile(project.tasksFile).master.tasks[0];
    expect(onDisk).toEqual({ ...original, title: 'Renamed', reviewer: 'sam' });
    expect(Object.keys(onDisk)).toEqual([...Object.keys(original), 'reviewer']);
  });

  it('lists only the fields whose value changed', async () => {
    const store = await openStore(tempProject(smallFile()).root);
    const { value } = await store.update(1, { title: 'one', priority: 'low' }, { tag: 'master' });
    expect(value.changed).toEqual(['priority']);
  });

  it('refreshes the tag metadata field the tag already uses', async () => {
    const project = tempProject(smallFile());
    const store = await openStore(project.root);
    await store.update(1, { priority: 'low' }, { tag: 'master' });
    await store.create({ title: 'x' }, { tag: 'other' });
    const file = readFile(project.tasksFile);
    expect(file.master.metadata.updated).not.toBe('2025-01-01T00:00:00.000Z');
    expect(file.other.metadata.lastModified).not.toBe('2025-01-01T00:00:00.000Z');
    expect(file.other.metadata).not.toHaveProperty('updated');
  });

  it('updates a subtask by its dotted id', async () => {
    const project = tempProject(smallFile());
    const store = await openStore(project.root);
    const { value } = await store.update('2.2', { details: 'more' }, { tag: 'master' });
    expect(value.id).toBe('2.2');
    expect(readFile(project.tasksFile).master.tasks[1].subtasks[1]).toEqual({ id: 2, title: 'two-b', status: 'pending', dependencies: [1], details: 'more' });
  });

  it('refuses to change an id', async () => {
    const store = await openStore(tempProject(smallFile()).root);
    const err = await rejectionOf(store.update(1, { id: 9 }, { tag: 'master' }));
    expect(err.code).toBe(-32602);
    expect(err.message).toContain('id cannot be changed');
  });
});

describe('setting status', () => {
  it('sets the status of tasks and subtasks, reporting from and to', async () => {
    const project = tempProject(smallFile());
    const store = await openStore(project.root);
    const { value } = await store.setStatus([1, '2.2'], 'in-progress', { tag: 'master' });
    expect(value.tasks).toEqual([
      { id: '1', from: 'done', to: 'in-progress' },
      { id: '2.2', from: 'pending', to: 'in-progress' },
    ]);
    const file = readFile(project.tasksFile);
    expect(file.master.tasks[0].status).toBe('in-progress');
    expect(file.master.tasks[1].subtasks[1].status).toBe('in-progress');
  });

  it('changes nothing when one of the ids does not exist', async () => {
    const project = tempProject(smallFile());
    const before = fs.readFileSync(project.tasksFile, 'utf8');
    const store = await openStore(project.root);
    const err = await rejectionOf(store.setStatus([1, '2.9'], 'done', { tag: 'master' }));
    expect(err).toMatchObject({ code: 1008, message: 'task 2.9 not found in tag "master"', data: { id: '2.9', tag: 'master' } });
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(before);
  });

  it('rejects an unknown status and writes nothing', async () => {
    const project = tempProject(smallFile());
    const before = fs.readFileSync(project.tasksFile, 'utf8');
    const store = await openStore(project.root);
    const err = await rejectionOf(store.setStatus([1], 'finished', { tag: 'master' }));
    expect(err.code).toBe(-32602);
    expect(err.message).toMatch(/^status: /);
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(before);
  });
});

describe('deleting tasks', () => {
  it('removes a task and every dependency on it or its subtasks', async () => {
    const project = tempProject(smallFile());
    const store = await openStore(project.root);
    const { value } = await store.remove(2, { tag: 'master' });
    expect(value.id).toBe('2');
    expect(value.removedFrom.sort()).toEqual(['3', '3.1']);
    const tasks = readFile(project.tasksFile).master.tasks;
    expect(tasks.map((t: any) => t.id)).toEqual([1, 3]);
    expect(tasks[1].dependencies).toEqual(['1']);
    expect(tasks[1].subtasks[0].dependencies).toEqual(['1.1']);
  });

  it('removes a subtask and the dependencies of its siblings and others on it', async () => {
    const project = tempProject(smallFile());
    const store = await openStore(project.root);
    const { value } = await store.remove('2.2', { tag: 'master' });
    expect(value.removedFrom.sort()).toEqual(['2.3']);
    const two = readFile(project.tasksFile).master.tasks[1];
    expect(two.subtasks.map((s: any) => s.id)).toEqual([1, 3]);
    expect(two.subtasks[1].dependencies).toEqual([]);
  });

  it('removes a task depended on by number, by string and through its subtask ids', async () => {
    const project = tempProject(smallFile());
    const store = await openStore(project.root);
    const { value } = await store.remove(1, { tag: 'master' });
    expect(value.removedFrom.sort()).toEqual(['2', '3', '3.1']);
    const tasks = readFile(project.tasksFile).master.tasks;
    expect(tasks[0].dependencies).toEqual([]);
    expect(tasks[1].dependencies).toEqual([2, '2.1']);
    expect(tasks[1].subtasks[0].dependencies).toEqual(['2.3']);
  });
});

describe('missing tags and ids', () => {
  it('names the tag that does not exist', async () => {
    const store = await openStore(tempProject(smallFile()).root);
    // Each call starts when it is awaited: one that fails before the loop reaches it would be an unhandled rejection.
    for (const call of [() => store.get(1, { tag: 'nope' }), () => store.update(1, { title: 'x' }, { tag: 'nope' }), () => store.remove(1, { tag: 'nope' })]) {
      expect(await rejectionOf(call())).toMatchObject({ code: 1008, message: 'tag "nope" does not exist; tags: master, other', data: { tags: ['master', 'other'] } });
    }
  });

  it('names the task and tag when an id is not found', async () => {
    const store = await openStore(tempProject(smallFile()).root);
    expect(await rejectionOf(store.get(5, { tag: 'master' }))).toMatchObject({
      code: 1008,
      message: 'task 5 not found in tag "master"',
      data: { id: '5', tag: 'master' },
    });
  });

  it('lists the tasks of the current tag, filtered by status', async () => {
    const project = tempProject(smallFile());
    fs.writeFileSync(`${project.root}/.taskmaster/state.json`, JSON.stringify({ currentTag: 'master' }));
    const store = await openStore(project.root);
    const { tag, tasks } = await store.list({ status: 'pending' });
    expect(tag).toBe('master');
    expect(tasks.map((t) => t.id)).toEqual([2, 3]);
  });
});

describe('taskOps inside one transaction', () => {
  it('leaves the data untouched when an op fails, so the other ops of a batch still apply', async () => {
    const project = tempProject(smallFile());
    const store = await openStore(project.root);
    const outcomes: string[] = [];
    const { written } = await store.transact((data) => {
      const snapshot = JSON.stringify(data);
      for (const op of [
        () => taskOps.setStatus(data, 'master', [1, 99], 'done'),
        () => taskOps.updateTask(data, 'master', 3, { dependencies: [77] }),
        () => taskOps.createTask(data, 'master', { title: 'ok' }),
      ]) {
        const mark = JSON.stringify(data);
        try {
          op();
          outcomes.push('ok');
        } catch (err) {
          outcomes.push(String((err as { code: number }).code));
          expect(JSON.stringify(data)).toBe(mark);
        }
      }
      expect(JSON.stringify(data)).not.toBe(snapshot);
    });
    expect(outcomes).toEqual(['1008', '-32602', 'ok']);
    expect(written).toBe(true);
    expect(readFile(project.tasksFile).master.tasks.map((t: any) => t.title)).toEqual(['one', 'two', 'three', 'ok']);
  });
});

describe('many ops in one transaction (as the server batches them)', () => {
  /** Creates, updates, status changes and deletes, interleaved, and a reordering by code that is not a task op. */
  function script(d: any, tag: string, reorder: boolean): unknown[] {
    const out: unknown[] = [];
    const ids = d[tag].tasks.slice(0, 12).map((t: any) => t.id);
    const attempt = (fn: () => unknown) => {
      try {
        out.push(fn());
      } catch (err) {
        out.push({ error: (err as Error).message });
      }
    };
    for (let i = 0; i < 40; i++) {
      const id = ids[i % ids.length];
      if (i % 7 === 3) attempt(() => taskOps.createTask(d, tag, { title: `new ${i}`, dependencies: [id] }));
      else if (i % 11 === 5) attempt(() => taskOps.deleteTask(d, tag, id));
      else if (i % 5 === 0) attempt(() => taskOps.setStatus(d, tag, [id], 'review'));
      else attempt(() => taskOps.updateTask(d, tag, id, { title: `edit ${i}` }));
      if (reorder && i === 20) d[tag].tasks.reverse();
    }
    attempt(() => taskOps.updateTask(d, tag, 999_999, { title: 'missing' }));
    return out;
  }

  for (const reorder of [false, true]) {
    it(`finds the same tasks as on plain data${reorder ? ', even after the list is reordered mid-way' : ''}`, async () => {
      const project = fixtureProject();
      const store = await openStore(project.root);
      const tag = 'master';
      const plain = JSON.parse(FIXTURE_TEXT);
      const expected = script(plain, tag, reorder);
      const result = await store.transact((d: any) => script(d, tag, reorder));
      const strip = (v: unknown) => JSON.parse(JSON.stringify(v).replace(/"(updated|createdAt|updatedAt|lastModified)":"[^"]*"/g, '"$1":"t"'));
      expect(strip(result.value)).toEqual(strip(expected));
      expect(strip(result.data)).toEqual(strip(plain));
    });
  }
});
