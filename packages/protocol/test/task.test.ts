import { describe, expect, it } from 'vitest';
import {
  TaskSchema,
  isDoneStatus,
  emptyTasksFile,
  isLegacyTasksFile,
  tagsOf,
  validateTasksFile,
  type TaggedTasksFile,
} from '../src/index.js';
import { readFixtureText } from './fixture.js';

describe('tasks file schemas', () => {
  it('accepts the real fixture and gives back the very same object, byte for byte', () => {
    const text = readFixtureText();
    const data = JSON.parse(text);
    const validated = validateTasksFile(data);
    expect(validated).toBe(data);
    expect(JSON.stringify(validated, null, 2)).toBe(text);
  });

  it('sees every tag of the fixture with its tasks and subtasks', () => {
    const tags = tagsOf(validateTasksFile(JSON.parse(readFixtureText())));
    const names = Object.keys(tags);
    const tasks = names.flatMap((t) => tags[t]!.tasks);
    const subtasks = tasks.flatMap((t) => t.subtasks ?? []);
    expect(names).toHaveLength(9);
    expect(tasks).toHaveLength(182);
    expect(subtasks).toHaveLength(914);
  });

  it('accepts mixed ids, string dependencies, unknown statuses and unknown fields', () => {
    const file = {
      master: {
        tasks: [
          { id: 1, title: 'a', status: 'blocked', dependencies: [2, '2.1'], custom: { x: 1 } },
          { id: '2', title: 'b', status: 'completed', subtasks: [{ id: 1, title: 's', dependencies: ['1'], extra: true }] },
        ],
        metadata: { version: '1.0.0', lastModified: 'x', taskCount: 2, completedCount: 0, tags: ['master'] },
      },
    };
    expect(validateTasksFile(file)).toBe(file);
    expect(TaskSchema.parse(file.master.tasks[0])).toMatchObject({ custom: { x: 1 } });
  });

  it('tells the legacy untagged format apart and views it as the master tag', () => {
    const legacy = { tasks: [{ id: 1, title: 'a' }], metadata: { created: 'x' } };
    expect(isLegacyTasksFile(legacy)).toBe(true);
    expect(validateTasksFile(legacy)).toBe(legacy);
    expect(tagsOf(legacy).master).toBe(legacy);
    expect(isLegacyTasksFile(emptyTasksFile())).toBe(false);
  });

  it('rejects a task without a title and names where it is', () => {
    const bad: unknown = { master: { tasks: [{ id: 1, title: 'ok' }, { id: 2 }] } };
    expect(() => validateTasksFile(bad)).toThrow(/title/);
    try {
      validateTasksFile(bad);
    } catch (err) {
      const issue = (err as { issues: { path: unknown[] }[] }).issues[0]!;
      expect(issue.path).toEqual(['master', 'tasks', 1, 'title']);
    }
  });

  it('rejects a tag whose tasks are not an array', () => {
    expect(() => validateTasksFile({ master: { tasks: 'nope' } })).toThrow();
  });

  it('makes a new file with an empty master tag', () => {
    const file: TaggedTasksFile = emptyTasksFile(new Date('2026-01-01T00:00:00Z'));
    expect(file.master!.tasks).toEqual([]);
    expect(file.master!.metadata!.created).toBe('2026-01-01T00:00:00.000Z');
  });

  it('counts done and completed as finished, nothing else', () => {
    expect(['done', 'completed', 'pending', 'cancelled', undefined].map(isDoneStatus)).toEqual([true, true, false, false, false]);
  });
});
