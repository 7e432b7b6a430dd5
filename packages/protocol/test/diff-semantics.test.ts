import { describe, expect, it } from 'vitest';
import {
  applyTaskChange,
  diffTasksFiles,
  tagsOf,
  validateTasksFile,
  type EventPayload,
  type TaggedTasksFile,
  type TaskChange,
  type TasksFile,
} from '../src/index.js';
import { readFixtureText } from './fixture.js';

const names = (changes: TaskChange[]) => changes.map((c) => `${c.event} ${c.payload.tag}/${c.payload.id}`);
const fixture = () => validateTasksFile(JSON.parse(readFixtureText())) as TaggedTasksFile;
const moved = (c: TaskChange) => c.payload as EventPayload<'task.moved'>;

/** Every id written as a string, and (with `qualify`) every sibling dependency of a subtask as `"5.2"`. */
function allIdsAsStrings(data: TaggedTasksFile, qualify = false): TaggedTasksFile {
  const copy = structuredClone(data);
  for (const tag of Object.values(tagsOf(copy))) {
    for (const task of tag.tasks) {
      task.id = String(task.id);
      if (task.dependencies) task.dependencies = task.dependencies.map(String);
      for (const sub of task.subtasks ?? []) {
        sub.id = String(sub.id);
        if (sub.dependencies) {
          sub.dependencies = sub.dependencies.map((d) => (qualify && !String(d).includes('.') ? `${task.id}.${d}` : String(d)));
        }
      }
    }
  }
  return copy;
}

/** Applies a diff's events in order to a copy of `before`. */
function replay(before: TasksFile, changes: TaskChange[]): TasksFile {
  const copy = structuredClone(before);
  for (const change of changes) applyTaskChange(copy, change);
  return copy;
}

function small(): TaggedTasksFile {
  return {
    master: {
      tasks: [
        { id: 1, title: 'Set up', description: 'repo', status: 'done', dependencies: [] },
        {
          id: 2,
          title: 'Parser',
          description: 'parse it',
          status: 'pending',
          dependencies: [1],
          subtasks: [
            { id: 1, title: 'Tokens', description: 'lex', status: 'done', dependencies: [] },
            { id: 2, title: 'Grammar', description: 'rules', status: 'pending', dependencies: [1] },
            { id: 3, title: 'Errors', description: 'messages', status: 'pending', dependencies: [2] },
          ],
        },
        { id: 3, title: 'Docs', description: 'write', status: 'pending', dependencies: [2], subtasks: [{ id: 1, title: 'README', description: 'intro' }] },
        { id: 4, title: 'Ship', description: 'release', status: 'pending', dependencies: [3] },
      ],
    },
  };
}

describe('diffTasksFiles: representation is not a change', () => {
  it('sends nothing when Task Master flips ids and dependencies between numbers and strings', () => {
    const before = small();
    const after = allIdsAsStrings(before, true);
    expect(after.master!.tasks[1]!.subtasks![1]!.dependencies).toEqual(['2.1']);
    expect(diffTasksFiles(before, after)).toEqual([]);
    expect(diffTasksFiles(after, before)).toEqual([]);
  });

  it('sends nothing for the real fixture re-serialised with every id as a string', () => {
    const before = fixture();
    expect(diffTasksFiles(before, allIdsAsStrings(before))).toEqual([]);
    expect(diffTasksFiles(before, allIdsAsStrings(before, true))).toEqual([]);
  });

  it('sends nothing for Task Master\'s own rewrite of a tag (normalizeTaskIds: string ids, numeric subtask ids, [] and "undefined" for missing values)', () => {
    const before = small();
    delete before.master!.tasks[3]!.dependencies;
    const after = structuredClone(before);
    for (const task of after.master!.tasks) {
      task.id = String(task.id);
      task.dependencies = (task.dependencies ?? []).map(String);
      task.subtasks = (task.subtasks ?? []).map((sub) => ({ ...sub, id: Number(sub.id), parentId: String((sub as { parentId?: string }).parentId) }));
    }
    expect(after.master!.tasks[1]!.subtasks![0]!.parentId).toBe('undefined');
    expect(diffTasksFiles(before, after)).toEqual([]);
  });

  it('still reports a real dependency change, with the new task as written', () => {
    const after = allIdsAsStrings(small());
    after.master!.tasks[1]!.subtasks![2]!.dependencies = ['1'];
    const changes = diffTasksFiles(small(), after);
    expect(names(changes)).toEqual(['task.updated master/2.3']);
    expect(changes[0]!.payload).toMatchObject({ parentId: '2', changed: ['dependencies'], task: { id: '3', dependencies: ['1'] } });
  });
});

describe('diffTasksFiles: moves', () => {
  it('reports moving the last task to the front as one move', () => {
    const before = small();
    const after = structuredClone(before);
    after.master!.tasks.unshift(after.master!.tasks.pop()!);
    const changes = diffTasksFiles(before, after);
    expect(changes).toEqual([{ event: 'task.moved', payload: { tag: 'master', id: '4', from: { index: 3 }, to: { index: 0 } } }]);
    expect(replay(before, changes)).toEqual(after);
  });

  it('reports a reversed list with the fewest moves (n - 1)', () => {
    const before = small();
    const after = structuredClone(before);
    after.master!.tasks.reverse();
    const changes = diffTasksFiles(before, after);
    expect(changes.map((c) => c.event)).toEqual(['task.moved', 'task.moved', 'task.moved']);
    expect(replay(before, changes)).toEqual(after);
  });

  it('reports a reorder of subtasks by their dotted ids, and an edit of a moved item as move + update', () => {
    const before = small();
    const after = structuredClone(before);
    const subtasks = after.master!.tasks[1]!.subtasks!;
    subtasks.push(subtasks.shift()!);
    subtasks[2]!.status = 'in-progress';
    const changes = diffTasksFiles(before, after);
    expect(names(changes)).toEqual(['task.updated master/2.1', 'task.status.changed master/2.1', 'task.moved master/2.1']);
    expect(moved(changes[2]!)).toEqual({ tag: 'master', parentId: '2', id: '2.1', from: { parentId: '2', index: 0 }, to: { parentId: '2', index: 2 } });
    expect(replay(before, changes)).toEqual(after);
  });

  it('reports a subtask moved to another parent (renumbered) as one move, not deleted + created', () => {
    const before = small();
    const after = structuredClone(before);
    const [errors] = after.master!.tasks[1]!.subtasks!.splice(2, 1);
    after.master!.tasks[2]!.subtasks!.unshift({ ...errors!, id: 2, dependencies: [] });
    const changes = diffTasksFiles(before, after);
    expect(names(changes)).toEqual(['task.moved master/3.2', 'task.updated master/3.2']);
    expect(moved(changes[0]!)).toEqual({
      tag: 'master',
      parentId: '3',
      id: '3.2',
      from: { parentId: '2', index: 2, id: '2.3' },
      to: { parentId: '3', index: 0 },
    });
    expect(changes[1]!.payload).toMatchObject({ changed: ['dependencies'] });
    expect(replay(before, changes)).toEqual(after);
  });

  it('reports a subtask promoted to a task, and a task demoted to a subtask, as moves', () => {
    const before = small();
    const promoted = structuredClone(before);
    const [grammar] = promoted.master!.tasks[1]!.subtasks!.splice(1, 1);
    promoted.master!.tasks.push({ ...grammar!, id: 5 });
    const up = diffTasksFiles(before, promoted);
    expect(names(up)).toEqual(['task.moved master/5']);
    expect(moved(up[0]!)).toMatchObject({ from: { parentId: '2', index: 1, id: '2.2' }, to: { index: 4 } });
    expect(replay(before, up)).toEqual(promoted);

    const demoted = structuredClone(before);
    const [ship] = demoted.master!.tasks.splice(3, 1);
    demoted.master!.tasks[2]!.subtasks!.push({ ...ship!, id: 2 });
    const down = diffTasksFiles(before, demoted);
    expect(names(down)).toEqual(['task.moved master/3.2']);
    expect(replay(before, down)).toEqual(demoted);
  });

  it('falls back to deleted + created when the title and description do not single out one item', () => {
    const before = small();
    before.master!.tasks[2]!.subtasks!.push({ id: 2, title: 'Errors', description: 'messages' });
    const after = structuredClone(before);
    after.master!.tasks[1]!.subtasks!.splice(2, 1);
    after.master!.tasks[2]!.subtasks!.splice(1, 1);
    after.master!.tasks[0]!.subtasks = [{ id: 1, title: 'Errors', description: 'messages' }];
    const changes = diffTasksFiles(before, after);
    expect(names(changes).sort()).toEqual(['task.created master/1.1', 'task.deleted master/2.3', 'task.deleted master/3.2'].sort());
    expect(replay(before, changes)).toEqual(after);
  });

  it('places a task created in the middle with created + moved', () => {
    const before = small();
    const after = structuredClone(before);
    after.master!.tasks.splice(1, 0, { id: 5, title: 'Design', description: 'sketch' });
    const changes = diffTasksFiles(before, after);
    expect(names(changes)).toEqual(['task.created master/5', 'task.moved master/5']);
    expect(moved(changes[1]!)).toMatchObject({ from: { index: 4 }, to: { index: 1 } });
    expect(replay(before, changes)).toEqual(after);
  });

  it('keeps the 8 subtasks that share id 42 in the real fixture apart, and a reorder of tasks costs one move', () => {
    const before = fixture();
    const after = structuredClone(before);
    const tasks = after.master!.tasks;
    tasks.unshift(tasks.pop()!);
    const changes = diffTasksFiles(before, after);
    expect(changes.map((c) => c.event)).toEqual(['task.moved']);
    expect(replay(before, changes)).toEqual(after);
  });
});
