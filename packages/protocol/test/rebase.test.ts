import { describe, expect, it } from 'vitest';
import { rebaseTasksFile, type TaggedTasksFile } from '../src/index.js';

type T = Record<string, unknown>;
const task = (id: number | string, title: string, extra: T = {}): T => ({ id, title, description: '', status: 'pending', dependencies: [], ...extra });
const file = (tags: Record<string, T[]>): TaggedTasksFile =>
  Object.fromEntries(Object.entries(tags).map(([tag, tasks]) => [tag, { tasks, metadata: { created: 'c', updated: 'u', description: tag } }])) as TaggedTasksFile;
const titles = (f: unknown, tag = 'master') => ((f as Record<string, { tasks: T[] }>)[tag]!.tasks).map((t) => t.title);

describe('rebaseTasksFile: an outside write made from a stale version', () => {
  const base = file({ master: [task(1, 'One'), task(2, 'Two'), task(3, 'Three')] });

  it('keeps our change to one task and theirs to another', () => {
    const ours = file({ master: [task(1, 'One'), task(2, 'Two', { details: 'ours' }), task(3, 'Three')] });
    const theirs = file({ master: [task('1', 'One'), task('2', 'Two'), task('3', 'Three', { status: 'done' })] });
    const { merged, conflicts } = rebaseTasksFile(base, ours, theirs);
    const tasks = (merged as TaggedTasksFile).master!.tasks as T[];
    expect(tasks[1]).toMatchObject({ details: 'ours' });
    expect(tasks[2]).toMatchObject({ status: 'done' });
    expect(conflicts).toEqual([]);
  });

  it('keeps the task we created, which the outside writer never saw', () => {
    const ours = file({ master: [task(1, 'One'), task(2, 'Two'), task(3, 'Three'), task(4, 'Ours new')] });
    const theirs = file({ master: [task(1, 'One'), task(2, 'Two', { subtasks: [task(1, 'Their sub')] }), task(3, 'Three')] });
    const { merged } = rebaseTasksFile(base, ours, theirs);
    expect(titles(merged)).toEqual(['One', 'Two', 'Three', 'Ours new']);
    expect(((merged as TaggedTasksFile).master!.tasks[1] as T).subtasks).toHaveLength(1);
  });

  it('renumbers our new task when theirs took its id, and keeps both', () => {
    const ours = file({ master: [task(1, 'One'), task(2, 'Two'), task(3, 'Three'), task(4, 'Ours new')] });
    const theirs = file({ master: [task(1, 'One'), task(2, 'Two'), task(3, 'Three'), task(4, 'Theirs new')] });
    const { merged, renumbered } = rebaseTasksFile(base, ours, theirs);
    expect(titles(merged)).toEqual(['One', 'Two', 'Three', 'Theirs new', 'Ours new']);
    expect(((merged as TaggedTasksFile).master!.tasks[4] as T).id).toBe(5);
    expect(renumbered).toEqual([{ tag: 'master', from: '4', to: '5', side: 'ours' }]);
  });

  it('carries what ours names a renumbered task by (dependencies as numbers, strings, dotted; parentTaskId) to its new id', () => {
    const sub = (id: number, title: string, extra: T = {}) => task(id, title, { parentTaskId: 4, ...extra });
    const ours = file({
      master: [
        task(1, 'One'),
        task(2, 'Two', { dependencies: ['4'] }),
        task(3, 'Three'),
        task(4, 'Ours new', { subtasks: [sub(1, 'Ours step'), sub(2, 'Ours next', { dependencies: [1, '4.1'] })] }),
        task(5, 'Needs ours', { dependencies: [4, '4.2'] }),
      ],
    });
    const theirs = file({ master: [task(1, 'One'), task(2, 'Two'), task(3, 'Three', { dependencies: [4] }), task(4, 'Theirs new')] });
    const { merged, renumbered, conflicts } = rebaseTasksFile(base, ours, theirs);
    const tasks = (merged as TaggedTasksFile).master!.tasks as T[];
    expect(renumbered).toEqual([{ tag: 'master', from: '4', to: '5', side: 'ours' }, { tag: 'master', from: '5', to: '6', side: 'ours' }]);
    expect(conflicts).toEqual([]);
    expect(tasks.map((t) => [t.id, t.title, t.dependencies])).toEqual([
      [1, 'One', []],
      [2, 'Two', ['5']],
      [3, 'Three', [4]],
      [4, 'Theirs new', []],
      [5, 'Ours new', []],
      [6, 'Needs ours', [5, '5.2']],
    ]);
    expect((tasks[4]!.subtasks as T[]).map((s) => [s.id, s.parentTaskId, s.dependencies])).toEqual([
      [1, 5, []],
      [2, 5, [1, '5.1']],
    ]);
    // Ours itself is left as it was: the merge copies what it renames.
    expect(((ours as TaggedTasksFile).master!.tasks[4] as T).dependencies).toEqual([4, '4.2']);
  });

  it('renumbers theirs instead where ours keeps the id (a task the team holds), and what theirs names it by follows', () => {
    const ours = file({ master: [task(1, 'One'), task(2, 'Two'), task(3, 'Three'), task(4, 'Team new', { dependencies: [1] })] });
    const sub = (id: number, title: string, extra: T = {}) => task(id, title, { parentTaskId: 4, ...extra });
    const theirs = file({
      master: [
        task(1, 'One'),
        task(2, 'Two', { dependencies: [4] }),
        task(3, 'Three'),
        task(4, 'Theirs new', { subtasks: [sub(1, 'Their step'), sub(2, 'Their next', { dependencies: [1] })] }),
      ],
    });
    const asked: string[] = [];
    const oursKeepsId = (tag: string, id: string) => (asked.push(`${tag}/${id}`), id === '4');
    const { merged, renumbered, conflicts } = rebaseTasksFile(base, ours, theirs, { oursKeepsId });
    const tasks = (merged as TaggedTasksFile).master!.tasks as T[];
    expect(asked).toContain('master/4');
    expect(renumbered).toEqual([{ tag: 'master', from: '4', to: '5', side: 'theirs' }]);
    expect(conflicts).toEqual([]);
    expect(tasks.map((t) => [t.id, t.title, t.dependencies])).toEqual([
      [1, 'One', []],
      [2, 'Two', [5]],
      [3, 'Three', []],
      [4, 'Team new', [1]],
      [5, 'Theirs new', []],
    ]);
    expect((tasks[4]!.subtasks as T[]).map((s) => [s.id, s.parentTaskId, s.dependencies])).toEqual([
      [1, 5, []],
      [2, 5, [1]],
    ]);
    // Asked about an id theirs alone created, or not at all: theirs keeps it, as without the option.
    expect(rebaseTasksFile(base, ours, theirs, { oursKeepsId: () => false }).renumbered).toEqual([{ tag: 'master', from: '4', to: '5', side: 'ours' }]);
  });

  it('carries a dependency on a renumbered subtask (bare in a sibling, dotted elsewhere) to its new id', () => {
    const one = (subs: T[], extra: T = {}) => task(1, 'One', { subtasks: subs, ...extra });
    const b = file({ master: [one([task(1, 'S1')]), task(2, 'Two')] });
    const ours = file({ master: [one([task(1, 'S1'), task(2, 'Ours sub'), task(3, 'Ours after', { dependencies: [2] })]), task(2, 'Two', { dependencies: ['1.2'] })] });
    const theirs = file({ master: [one([task(1, 'S1'), task(2, 'Their sub')]), task(2, 'Two')] });
    const { merged, renumbered } = rebaseTasksFile(b, ours, theirs);
    const tasks = (merged as TaggedTasksFile).master!.tasks as T[];
    expect(renumbered).toEqual([{ tag: 'master', from: '1.2', to: '1.3', side: 'ours' }, { tag: 'master', from: '1.3', to: '1.4', side: 'ours' }]);
    expect((tasks[0]!.subtasks as T[]).map((s) => [s.id, s.title, s.dependencies])).toEqual([
      [1, 'S1', []],
      [2, 'Their sub', []],
      [3, 'Ours sub', []],
      [4, 'Ours after', [3]],
    ]);
    expect(tasks[1]!.dependencies).toEqual(['1.3']);
  });

  it('leaves a dependency alone when nothing was renumbered, and in a file of the untagged format follows the rename too', () => {
    const legacy = (tasks: T[]) => ({ tasks }) as unknown as TaggedTasksFile;
    const b = legacy([task(1, 'One')]);
    const ours = legacy([task(1, 'One'), task(2, 'Ours new'), task(3, 'Needs ours', { dependencies: [2] })]);
    const theirs = legacy([task(1, 'One'), task(2, 'Theirs new')]);
    const { merged } = rebaseTasksFile(b, ours, theirs);
    expect(((merged as unknown as { tasks: T[] }).tasks).map((t) => [t.id, t.title, t.dependencies])).toEqual([
      [1, 'One', []],
      [2, 'Theirs new', []],
      [3, 'Ours new', []],
      [4, 'Needs ours', [3]],
    ]);
    const alone = rebaseTasksFile(b, legacy([task(1, 'One'), task(2, 'Ours new', { dependencies: [1] })]), legacy([task(1, 'One', { status: 'done' })]));
    expect(((alone.merged as unknown as { tasks: T[] }).tasks)[1]).toMatchObject({ id: 2, dependencies: [1] });
  });

  it('with dropDependenciesOnDeleted, drops the dependencies one side added on what the other side deleted, as a delete drops its own', () => {
    const drop = { dropDependenciesOnDeleted: true };
    const b = file({ master: [task(1, 'One', { dependencies: [9] }), task(2, 'Two', { dependencies: [3] }), task(3, 'Three', { subtasks: [task(1, 'Three step')] }), task(4, 'Four')] });
    // Task Master's remove-task 3, from a read before our changes: task 3 gone, and its own dependency on it (task 2's).
    const theirs = file({ master: [task(1, 'One', { dependencies: [9] }), task(2, 'Two'), task(4, 'Four')] });
    const ours = file({
      master: [
        task(1, 'One', { dependencies: [9], subtasks: [task(1, 'One step', { dependencies: ['3.1'] }), task(2, 'One next', { dependencies: [1] })] }),
        task(2, 'Two', { dependencies: [3] }),
        task(3, 'Three', { subtasks: [task(1, 'Three step')] }),
        task(4, 'Four', { dependencies: ['3'] }),
        task(5, 'Needs three', { dependencies: [3, 1, '3.1'] }),
      ],
    });
    const { merged, conflicts } = rebaseTasksFile(b, ours, theirs, drop);
    const tasks = (merged as TaggedTasksFile).master!.tasks as T[];
    expect(conflicts).toEqual([]);
    expect(tasks.map((t) => [t.id, t.title, t.dependencies])).toEqual([
      [1, 'One', [9]], // named nothing before either change: left as it was
      [2, 'Two', []],
      [4, 'Four', []],
      [5, 'Needs three', [1]],
    ]);
    expect((tasks[0]!.subtasks as T[]).map((s) => [s.id, s.dependencies])).toEqual([
      [1, []],
      [2, [1]],
    ]);
    // Ours is left as it was: the merge copies what it changes.
    expect(((ours as TaggedTasksFile).master!.tasks[4] as T).dependencies).toEqual([3, 1, '3.1']);

    // The other way round: we deleted task 2 (and our dependencies on it), they added one on it.
    const oursDeleted = file({ master: [task(1, 'One', { dependencies: [9] }), task(3, 'Three', { subtasks: [task(1, 'Three step')] }), task(4, 'Four')] });
    const theirsAdded = file({ master: [task(1, 'One', { dependencies: [9] }), task(2, 'Two', { dependencies: [3] }), task(3, 'Three', { subtasks: [task(1, 'Three step', { dependencies: ['2'] })] }), task(4, 'Four', { dependencies: [2, 3] })] });
    const both = (rebaseTasksFile(b, oursDeleted, theirsAdded, drop).merged as TaggedTasksFile).master!.tasks as T[];
    expect(both.map((t) => [t.id, t.dependencies])).toEqual([[1, [9]], [3, []], [4, [3]]]);
    // In a subtask a bare 2 names its sibling 3.2, not task 2: not a dependency on what was deleted.
    expect((both[1]!.subtasks as T[])[0]!.dependencies).toEqual(['2']);
    // Without the option (team sync's merges into the local file) every dependency stays.
    const kept = (rebaseTasksFile(b, ours, theirs).merged as TaggedTasksFile).master!.tasks as T[];
    expect(kept.find((t) => t.id === 5)!.dependencies).toEqual([3, 1, '3.1']);
  });

  it('lets the outside writer win a field both changed, and reports it', () => {
    const ours = file({ master: [task(1, 'One'), task(2, 'Ours title'), task(3, 'Three')] });
    const theirs = file({ master: [task(1, 'One'), task(2, 'Their title'), task(3, 'Three')] });
    const { merged, conflicts } = rebaseTasksFile(base, ours, theirs);
    expect(titles(merged)).toEqual(['One', 'Their title', 'Three']);
    expect(conflicts).toEqual([{ tag: 'master', id: '2', field: 'title', ours: 'Ours title', theirs: 'Their title' }]);
  });

  it('merges subtasks field by field, including a subtask created on each side', () => {
    const withSubs = (subs: T[]) => file({ master: [task(1, 'One', { subtasks: subs })] });
    const b = withSubs([task(1, 'S1')]);
    const ours = withSubs([task(1, 'S1', { status: 'done' }), task(2, 'Ours sub')]);
    const theirs = withSubs([task(1, 'S1', { details: 'theirs' }), task(2, 'Their sub')]);
    const { merged, renumbered } = rebaseTasksFile(b, ours, theirs);
    const subs = ((merged as TaggedTasksFile).master!.tasks[0] as T).subtasks as T[];
    expect(subs.map((s) => [s.id, s.title, s.status, s.details])).toEqual([
      [1, 'S1', 'done', 'theirs'],
      [2, 'Their sub', 'pending', undefined],
      [3, 'Ours sub', 'pending', undefined],
    ]);
    expect(renumbered).toEqual([{ tag: 'master', from: '1.2', to: '1.3', side: 'ours' }]);
  });

  it('treats 1 and "1" as the same id and the same dependency', () => {
    const ours = file({ master: [task(1, 'One'), task(2, 'Two', { dependencies: [1] }), task(3, 'Three')] });
    const theirs = file({ master: [task('1', 'One'), task('2', 'Two', { dependencies: ['1'] }), task('3', 'Three')] });
    const b = file({ master: [task(1, 'One'), task(2, 'Two', { dependencies: [1] }), task(3, 'Three')] });
    expect(rebaseTasksFile(b, ours, theirs).conflicts).toEqual([]);
  });

  it('deletes what one side deleted and the other left alone; a delete against a change keeps the outside writer’s choice', () => {
    const ours = file({ master: [task(1, 'One'), task(2, 'Two changed'), task(3, 'Three')] });
    const theirs = file({ master: [task(1, 'One'), task(3, 'Three')] });
    const { merged, conflicts } = rebaseTasksFile(base, ours, theirs);
    expect(titles(merged)).toEqual(['One', 'Three']);
    expect(conflicts).toEqual([expect.objectContaining({ id: '2', field: '*', theirs: undefined })]);
    const oursDeleted = file({ master: [task(1, 'One'), task(3, 'Three')] });
    const theirsUnchanged = file({ master: [task(1, 'One'), task(2, 'Two'), task(3, 'Three', { status: 'done' })] });
    expect(titles(rebaseTasksFile(base, oursDeleted, theirsUnchanged).merged)).toEqual(['One', 'Three']);
  });

  it('leaves a tag the outside writer did not touch as ours, and theirs as theirs', () => {
    const b = file({ master: [task(1, 'M')], feature: [task(1, 'F')] });
    const ours = file({ master: [task(1, 'M ours')], feature: [task(1, 'F')] });
    const theirs = file({ master: [task(1, 'M')], feature: [task(1, 'F theirs')] });
    const { merged } = rebaseTasksFile(b, ours, theirs);
    expect(titles(merged, 'master')).toEqual(['M ours']);
    expect(titles(merged, 'feature')).toEqual(['F theirs']);
  });

  it('keeps a tag named __proto__ as a key of the result', () => {
    const b = JSON.parse('{"__proto__":{"tasks":[]},"master":{"tasks":[]}}');
    const ours = JSON.parse('{"__proto__":{"tasks":[{"id":1,"title":"x","status":"pending","dependencies":[]}]},"master":{"tasks":[]}}');
    const theirs = JSON.parse('{"__proto__":{"tasks":[]},"master":{"tasks":[{"id":1,"title":"m","status":"pending","dependencies":[]}]}}');
    const { merged } = rebaseTasksFile(b, ours, theirs);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged).sort()).toEqual(['__proto__', 'master']);
  });
});
