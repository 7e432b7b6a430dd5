import { describe, expect, it } from 'vitest';
import { diffTasksFiles, validateTasksFile, type TaggedTasksFile, type TaskChange } from '../src/index.js';
import { readFixtureText } from './fixture.js';

const names = (changes: TaskChange[]) => changes.map((c) => `${c.event} ${c.payload.tag}/${c.payload.id}`);

function base(): TaggedTasksFile {
  return {
    master: {
      tasks: [
        { id: 1, title: 'one', status: 'pending', subtasks: [{ id: 1, title: 'sub', status: 'pending' }] },
        { id: 2, title: 'two', status: 'pending' },
      ],
    },
    feature: { tasks: [{ id: 1, title: 'f1', status: 'pending' }] },
  };
}

describe('diffTasksFiles', () => {
  it('reports nothing for identical files', () => {
    expect(diffTasksFiles(base(), base())).toEqual([]);
  });

  it('reports a status change as an update and a status change, with from and to', () => {
    const after = base();
    after.master!.tasks[1]!.status = 'done';
    const changes = diffTasksFiles(base(), after);
    expect(names(changes)).toEqual(['task.updated master/2', 'task.status.changed master/2']);
    expect(changes[0]!.payload).toMatchObject({ changed: ['status'] });
    expect(changes[1]!.payload).toMatchObject({ from: 'pending', to: 'done' });
  });

  it('reports subtask changes by dotted id without updating the parent', () => {
    const after = base();
    after.master!.tasks[0]!.subtasks![0]!.title = 'renamed';
    after.master!.tasks[0]!.subtasks!.push({ id: 2, title: 'new sub' });
    const changes = diffTasksFiles(base(), after);
    expect(names(changes)).toEqual(['task.updated master/1.1', 'task.created master/1.2']);
    expect(changes[0]!.payload).toMatchObject({ parentId: '1', changed: ['title'] });
  });

  it('reports created and deleted tasks per tag, including whole new and removed tags', () => {
    const after = base();
    after.master!.tasks.splice(1, 1);
    delete after.feature;
    after.other = { tasks: [{ id: 1, title: 'o' }] };
    expect(names(diffTasksFiles(base(), after)).sort()).toEqual(
      ['task.created other/1', 'task.deleted feature/1', 'task.deleted master/2'].sort(),
    );
  });

  it('treats "1" and 1 as the same task, and a flip of representation as no change', () => {
    const after = base();
    after.master!.tasks[1]!.id = '2';
    after.master!.tasks[0]!.subtasks![0]!.id = '1';
    expect(diffTasksFiles(base(), after)).toEqual([]);
    after.master!.tasks[1]!.title = 'two, renamed';
    const changes = diffTasksFiles(base(), after);
    expect(names(changes)).toEqual(['task.updated master/2']);
    expect(changes[0]!.payload).toMatchObject({ changed: ['title'], task: { id: '2', title: 'two, renamed' } });
  });

  it('diffs the real fixture against an edited copy', () => {
    const text = readFixtureText();
    const before = validateTasksFile(JSON.parse(text)) as TaggedTasksFile;
    const after = JSON.parse(text) as TaggedTasksFile;
    const loop = after.loop!.tasks[0]!;
    loop.status = loop.status === 'done' ? 'pending' : 'done';
    expect(names(diffTasksFiles(before, after))).toEqual([
      `task.updated loop/${loop.id}`,
      `task.status.changed loop/${loop.id}`,
    ]);
  });
});

describe('diffTasksFiles with repeated ids', () => {
  it('keeps subtasks that share an id apart, as in real files', () => {
    const before: TaggedTasksFile = {
      master: { tasks: [{ id: 42, title: 'p', subtasks: [{ id: 42, title: 'a' }, { id: 42, title: 'b' }] }] },
    };
    const after = structuredClone(before);
    after.master!.tasks[0]!.subtasks![1]!.title = 'b2';
    const changes = diffTasksFiles(before, after);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.payload).toMatchObject({ id: '42.42', changed: ['title'], task: { title: 'b2' } });
  });
});
