import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { overriddenNoticeId, validateTasksFile, type TaggedTasksFile, type Task } from '@taskmaster/protocol';
import { TaskViewModel, type ViewNode } from '../src/viewModel.js';

/** The shared fixture, beside the repository (`shared/` next to the clone). */
const FIXTURE = new URL('../../../../shared/fixtures/taskmaster-repo-tasks.json', import.meta.url);

function sampleFile(): TaggedTasksFile {
  return {
    master: {
      tasks: [
        { id: 1, title: 'Set up repo', status: 'done', priority: 'high', dependencies: [] },
        {
          id: 2,
          title: 'Write parser',
          description: 'Parse the tasks file',
          status: 'in-progress',
          priority: 'medium',
          dependencies: [1],
          subtasks: [
            { id: 1, title: 'Tokenizer', status: 'done' },
            { id: 2, title: 'Grammar', status: 'pending' },
          ],
        },
        { id: 3, title: 'Ship it', status: 'pending', dependencies: [2] },
      ],
    },
    feature: { tasks: [{ id: 1, title: 'Dark mode', status: 'pending' }] },
  };
}

function labels(vm: TaskViewModel, nodes: ViewNode[]): string[] {
  return nodes.map((n) => (n.kind === 'group' ? `${n.label} (${n.count})` : `${n.taskId} ${n.task.title}`));
}

function tree(vm: TaskViewModel): Record<string, string[]> {
  return Object.fromEntries(vm.roots().map((g) => [labels(vm, [g])[0]!, labels(vm, vm.children(g.id))]));
}

describe('TaskViewModel', () => {
  it('groups the current tag by status, in working order', () => {
    const vm = new TaskViewModel();
    vm.load(sampleFile());
    expect(tree(vm)).toEqual({
      'In Progress (1)': ['2 Write parser'],
      'Pending (1)': ['3 Ship it'],
      'Done (1)': ['1 Set up repo'],
    });
  });

  it('groups by tag when asked, with done counts per tag', () => {
    const vm = new TaskViewModel({ groupBy: 'tag' });
    vm.load(sampleFile());
    const roots = vm.roots();
    expect(roots.map((r) => r.kind === 'group' && [r.label, r.done, r.count])).toEqual([
      ['master', 1, 3],
      ['feature', 0, 1],
    ]);
    expect(labels(vm, vm.children(roots[1]!.id))).toEqual(['1 Dark mode']);
  });

  it('marks a broken tag with what is wrong, and unmarks it when it is mended', () => {
    const vm = new TaskViewModel({ groupBy: 'tag', currentTag: 'feature' });
    vm.load(sampleFile());
    expect(vm.setTagProblems({ feature: 'task 1, field title: expected string, received null' })).toEqual({ all: true, ids: [] });
    expect(vm.roots().map((r) => r.kind === 'group' && [r.label, r.problem])).toEqual([
      ['master', undefined],
      ['feature', 'task 1, field title: expected string, received null'],
    ]);
    expect(vm.tagProblem()).toBe('task 1, field title: expected string, received null');
    expect(vm.tagProblem('master')).toBeUndefined();
    // The same problems again: nothing to redraw.
    expect(vm.setTagProblems({ feature: 'task 1, field title: expected string, received null' })).toEqual({ all: false, ids: [] });
    vm.setTagProblems({});
    expect(vm.roots().every((r) => r.kind === 'group' && r.problem === undefined)).toBe(true);
    expect(vm.tagProblem()).toBeUndefined();
  });

  it('shows subtasks as children of their task with dotted ids', () => {
    const vm = new TaskViewModel();
    vm.load(sampleFile());
    const parent = vm.node('master:2');
    expect(parent).toMatchObject({ kind: 'task', hasChildren: true });
    expect(vm.children('master:2').map((n) => n.id)).toEqual(['master:2.1', 'master:2.2']);
    expect(vm.node('master:2.2')).toMatchObject({ kind: 'subtask', taskId: '2.2', parentId: '2', status: 'pending' });
    expect(vm.parentId('master:2.2')).toBe('master:2');
    expect(vm.parentId('master:2')).toBe('group:status:in-progress');
  });

  it('counts finished top-level tasks of the current tag', () => {
    const vm = new TaskViewModel();
    vm.load(sampleFile());
    expect(vm.counts()).toEqual({ done: 1, total: 3 });
    vm.setCurrentTag('feature');
    expect(vm.counts()).toEqual({ done: 0, total: 1 });
  });

  it('filters by words in id, title, description or status and keeps matching parents', () => {
    const vm = new TaskViewModel();
    vm.load(sampleFile());
    vm.setFilter('grammar');
    expect(tree(vm)).toEqual({ 'In Progress (1)': ['2 Write parser'] });
    expect(labels(vm, vm.children('master:2'))).toEqual(['2.2 Grammar']);
    vm.setFilter('parse tasks');
    expect(labels(vm, vm.children('master:2'))).toEqual(['2.1 Tokenizer', '2.2 Grammar']);
    vm.setFilter('PENDING');
    expect(Object.keys(tree(vm))).toEqual(['In Progress (1)', 'Pending (1)']);
    vm.setFilter('');
    expect(Object.keys(tree(vm))).toHaveLength(3);
  });

  it('moves a task to its new status group when its status changes', () => {
    const vm = new TaskViewModel();
    vm.load(sampleFile());
    const change = vm.applyEvent({ event: 'task.status.changed', payload: { tag: 'master', id: '3', from: 'pending', to: 'done', revision: 2 } });
    expect(change.all).toBe(true);
    expect(tree(vm)).toEqual({ 'In Progress (1)': ['2 Write parser'], 'Done (2)': ['1 Set up repo', '3 Ship it'] });
    expect(vm.counts()).toEqual({ done: 2, total: 3 });
  });

  it('refreshes only the changed node when a title changes in place', () => {
    const vm = new TaskViewModel();
    vm.load(sampleFile());
    const task: Task = { id: 3, title: 'Ship it now', status: 'pending', dependencies: [2] };
    const change = vm.applyEvent({ event: 'task.updated', payload: { tag: 'master', id: '3', task, changed: ['title'], revision: 2 } });
    expect(change).toEqual({ all: false, ids: ['master:3'] });
    expect(vm.node('master:3')).toMatchObject({ task: { title: 'Ship it now' } });
  });

  it('keeps what another program wrote over while it stands in the tag on view, and drops it once put back', () => {
    const vm = new TaskViewModel();
    vm.load(sampleFile());
    const over = { tag: 'master', id: '3', fields: ['title'], ours: { title: 'Ship it (ours)' }, theirs: { title: 'Ship it' }, revision: 7 };
    vm.applyEvent({ event: 'sync.conflict', payload: over });
    // Listed by sync.status too, and one already over (task 1's title is not theirs): the latest per task, standing only.
    vm.addOverwritten([over, { tag: 'master', id: '1', fields: ['title'], ours: { title: 'x' }, theirs: { title: 'Not any more' } }]);
    expect(vm.overwritten()).toEqual([over]);
    expect(vm.overwritten('feature')).toEqual([]);
    vm.applyEvent({ event: 'task.updated', payload: { tag: 'master', id: '3', changed: ['title'], task: { id: 3, title: 'Ship it (ours)', status: 'pending', dependencies: [2] }, revision: 8 } });
    expect(vm.overwritten()).toEqual([]);
  });

  it('drops what another program wrote over once dismissed, by any client, and only that notice', () => {
    const vm = new TaskViewModel();
    vm.load(sampleFile());
    const over = { tag: 'master', id: '3', fields: ['title'], ours: { title: 'Ship it (ours)' }, theirs: { title: 'Ship it' }, revision: 7 };
    vm.applyEvent({ event: 'sync.conflict', payload: over });
    // A notice for another change of the same task is not this one: nothing goes.
    const other = overriddenNoticeId({ ...over, ours: { title: 'Something else' } });
    vm.applyEvent({ event: 'sync.conflict.dismissed', payload: { tag: 'master', id: '3', notice: other, revision: 8 } });
    expect(vm.overwritten()).toEqual([over]);
    vm.applyEvent({ event: 'sync.conflict.dismissed', payload: { tag: 'master', id: '3', notice: overriddenNoticeId(over), revision: 9 } });
    expect(vm.overwritten()).toEqual([]);
  });

  it('applies a task.patched like the task.updated it stands for, and ignores one for a task it does not hold', () => {
    const vm = new TaskViewModel();
    vm.load(sampleFile());
    const change = vm.applyEvent({ event: 'task.patched', payload: { tag: 'master', id: '3', set: { title: 'Ship it now' }, unset: [], revision: 2 } });
    expect(change).toEqual({ all: false, ids: ['master:3'] });
    expect(vm.node('master:3')).toMatchObject({ task: { title: 'Ship it now', status: 'pending', dependencies: [2] } });
    const moved = vm.applyEvent({ event: 'task.patched', payload: { tag: 'master', id: '3', set: { status: 'done' }, unset: [], revision: 3 } });
    expect(moved.all).toBe(true);
    expect(vm.applyEvent({ event: 'task.patched', payload: { tag: 'master', id: '99', set: { title: 'x' }, unset: [], revision: 4 } })).toEqual({ all: false, ids: [] });
  });

  it('refreshes the parent when a subtask changes, and the tag group in tag grouping', () => {
    const vm = new TaskViewModel({ groupBy: 'tag' });
    vm.load(sampleFile());
    const change = vm.applyEvent({ event: 'task.status.changed', payload: { tag: 'master', id: '2.2', parentId: '2', to: 'done', revision: 3 } });
    expect(change).toEqual({ all: false, ids: ['master:2.2', 'master:2', 'group:tag:master'] });
    expect(vm.node('master:2.2')).toMatchObject({ status: 'done' });
  });

  it('adds created tasks and subtasks, and removes deleted ones', () => {
    const vm = new TaskViewModel();
    vm.load(sampleFile());
    vm.applyEvent({ event: 'task.created', payload: { tag: 'master', id: '4', task: { id: 4, title: 'Docs', status: 'pending' }, revision: 2 } });
    vm.applyEvent({ event: 'task.created', payload: { tag: 'master', id: '3.1', parentId: '3', task: { id: 1, title: 'Tag release' }, revision: 3 } });
    expect(tree(vm)['Pending (2)']).toEqual(['3 Ship it', '4 Docs']);
    expect(labels(vm, vm.children('master:3'))).toEqual(['3.1 Tag release']);
    vm.applyEvent({ event: 'task.deleted', payload: { tag: 'master', id: '2.1', parentId: '2', revision: 4 } });
    vm.applyEvent({ event: 'task.deleted', payload: { tag: 'master', id: '1', revision: 5 } });
    expect(labels(vm, vm.children('master:2'))).toEqual(['2.2 Grammar']);
    expect(Object.keys(tree(vm))).toEqual(['In Progress (1)', 'Pending (2)']);
    expect(vm.node('master:1')).toBeUndefined();
  });

  it('moves a subtask to another task on task.moved, under its new id', () => {
    const vm = new TaskViewModel();
    vm.load(sampleFile());
    const change = vm.applyEvent({
      event: 'task.moved',
      payload: { tag: 'master', id: '3.1', parentId: '3', revision: 2, from: { parentId: '2', index: 1, id: '2.2' }, to: { parentId: '3', index: 0 } },
    });
    expect(change.all).toBe(true);
    expect(labels(vm, vm.children('master:2'))).toEqual(['2.1 Tokenizer']);
    expect(labels(vm, vm.children('master:3'))).toEqual(['3.1 Grammar']);
    expect(vm.node('master:3.1')).toMatchObject({ kind: 'subtask', parentId: '3', status: 'pending' });
  });

  it('reorders tasks on task.moved, and leaves the tree alone for events it does not know', () => {
    const vm = new TaskViewModel({ groupBy: 'tag' });
    vm.load(sampleFile());
    vm.applyEvent({ event: 'task.moved', payload: { tag: 'master', id: '3', revision: 2, from: { index: 2 }, to: { index: 0 } } });
    expect(labels(vm, vm.children('group:tag:master'))).toEqual(['3 Ship it', '1 Set up repo', '2 Write parser']);
    expect(vm.applyEvent({ event: 'task.teleported', payload: { tag: 'master', id: '3' } })).toEqual({ all: false, ids: [] });
    expect(vm.applyEvent({ event: 'file.changed', payload: { path: 'x', source: 'external', revision: 3 } })).toEqual({ all: false, ids: [] });
  });

  it('ignores events of other tags for the status view but keeps their data', () => {
    const vm = new TaskViewModel();
    vm.load(sampleFile());
    const change = vm.applyEvent({ event: 'task.status.changed', payload: { tag: 'feature', id: '1', to: 'done', revision: 2 } });
    expect(change).toEqual({ all: false, ids: [] });
    expect(vm.counts('feature')).toEqual({ done: 1, total: 1 });
  });

  it("takes a file.changed's tags: a new empty tag appears, and a renamed tag on view gives way to master", () => {
    const model = new TaskViewModel();
    model.load(sampleFile());
    model.setCurrentTag('feature');
    const dark = model.tasks('feature');
    expect(model.applyEvent({ event: 'file.changed', payload: { path: 'tasks.json', source: 'server', revision: 1 } })).toEqual({ all: false, ids: [] });
    // feature renamed to feature-2 (its tasks come by their own events) and an empty tag added.
    model.applyEvent({ event: 'task.created', payload: { tag: 'feature-2', id: '1', revision: 2, task: dark[0] } });
    expect(model.applyEvent({ event: 'file.changed', payload: { path: 'tasks.json', source: 'server', revision: 3, tags: ['master', 'feature-2', 'empty'] } }).all).toBe(true);
    expect(model.tagNames()).toEqual(['master', 'feature-2', 'empty']);
    expect(model.currentTag).toBe('master');
    expect(model.tasks('empty')).toEqual([]);
    expect(model.tasks('feature-2').map((t) => t.title)).toEqual(['Dark mode']);
  });

  it("follows Task Master's current tag when on it: a switch, and a rename whose file.changed came first; a tag switched to here stays", () => {
    const model = new TaskViewModel({ currentTag: 'master' });
    model.load(sampleFile());
    const switched = (current: string, previous: string, revision: number) => model.applyEvent({ event: 'tag.current.changed', payload: { current, previous, revision } });
    expect(switched('feature', 'master', 1).all).toBe(true);
    expect(model.currentTag).toBe('feature');
    // feature renamed: the tags first (the view leaves the gone name), then state.json's switch, which it follows.
    model.applyEvent({ event: 'file.changed', payload: { path: 'tasks.json', source: 'server', revision: 2, tags: ['master', 'feature-2'] } });
    expect(model.currentTag).toBe('master');
    expect(switched('feature-2', 'feature', 3).all).toBe(true);
    expect(model.currentTag).toBe('feature-2');
    // Switched to another tag here (Switch Tag): Task Master's switches no longer move the view.
    model.setCurrentTag('master');
    expect(switched('other', 'feature-2', 4)).toEqual({ all: false, ids: [] });
    expect(model.currentTag).toBe('master');
  });

  it('replaces everything on a snapshot', () => {
    const vm = new TaskViewModel();
    vm.load(sampleFile());
    const change = vm.applyEvent({
      event: 'sync.snapshot',
      payload: { epoch: 'e2', revision: 9, data: { master: { tasks: [{ id: 7, title: 'Fresh start', status: 'review' }] } } },
    });
    expect(change.all).toBe(true);
    expect(tree(vm)).toEqual({ 'Review (1)': ['7 Fresh start'] });
    expect(vm.tagNames()).toEqual(['master']);
  });

  it('keeps node ids stable across updates so expansion survives a refresh', () => {
    const vm = new TaskViewModel();
    vm.load(sampleFile());
    const before = vm.children('group:status:in-progress').map((n) => n.id);
    vm.applyEvent({ event: 'task.updated', payload: { tag: 'master', id: '2', changed: ['title'], revision: 2, task: { ...sampleFile().master!.tasks[1]!, title: 'Parser v2' } } });
    expect(vm.children('group:status:in-progress').map((n) => n.id)).toEqual(before);
    expect(vm.children('master:2').map((n) => n.id)).toEqual(['master:2.1', 'master:2.2']);
  });

  it('reads a legacy untagged file as the master tag', () => {
    const vm = new TaskViewModel();
    vm.load({ tasks: [{ id: 1, title: 'Only task', status: 'pending' }] });
    expect(vm.tagNames()).toEqual(['master']);
    expect(tree(vm)).toEqual({ 'Pending (1)': ['1 Only task'] });
  });

  it('handles the real Task Master repository file', () => {
    const data = validateTasksFile(JSON.parse(readFileSync(FIXTURE, 'utf8')));
    const vm = new TaskViewModel({ groupBy: 'tag' });
    vm.load(data);
    const roots = vm.roots();
    expect(roots).toHaveLength(Object.keys(data).length);
    const total = roots.reduce((sum, r) => sum + (r.kind === 'group' ? r.count : 0), 0);
    const expected = Object.values(data as TaggedTasksFile).reduce((sum, t) => sum + t.tasks.length, 0);
    expect(total).toBe(expected);
    const ids = roots.flatMap((r) => vm.children(r.id)).flatMap((n) => [n.id, ...vm.children(n.id).map((c) => c.id)]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives subtasks that share an id distinct node ids', () => {
    const vm = new TaskViewModel();
    vm.load({ master: { tasks: [{ id: 1, title: 'Parent', status: 'pending', subtasks: [{ id: 1, title: 'First' }, { id: 1, title: 'Copy' }] }] } });
    expect(vm.children('master:1').map((n) => n.id)).toEqual(['master:1.1', 'master:1.1#2']);
    expect(vm.node('master:1.1#2')).toMatchObject({ taskId: '1.1', task: { title: 'Copy' } });
    expect(vm.parentId('master:1.1#2')).toBe('master:1');
  });
});
