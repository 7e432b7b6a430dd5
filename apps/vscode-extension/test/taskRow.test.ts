import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateTasksFile, type TaggedTasksFile } from '@taskmaster/protocol';
import { taskTooltip } from '../src/taskMarkdown.js';
import { PRIORITY_COLORS, statusIcon, taskRow, type TaskRow } from '../src/taskRow.js';
import { TaskViewModel, type TaskNode } from '../src/viewModel.js';

const FIXTURE = new URL('../../../../shared/fixtures/taskmaster-repo-tasks.json', import.meta.url);
const MANIFEST = new URL('../package.json', import.meta.url);

function project(): TaggedTasksFile {
  return {
    master: {
      tasks: [
        { id: 1, title: 'Set up repo', status: 'done', priority: 'high', dependencies: [] },
        {
          id: 2,
          title: 'Write parser',
          status: 'in-progress',
          priority: 'medium',
          dependencies: [1],
          subtasks: [
            { id: 1, title: 'Tokenizer', status: 'done', dependencies: [] },
            { id: 2, title: 'Grammar', status: 'pending', dependencies: [1] },
            { id: 3, title: 'Errors', status: 'pending', dependencies: [2] },
          ],
        },
        { id: 3, title: 'Ship it', status: 'pending', priority: 'low', dependencies: [2, 9] },
        { id: 4, title: 'Announce', status: 'done', dependencies: [3] },
        { id: 5, title: 'Drop IE', status: 'pending', priority: 'critical', dependencies: ['2.1', 4] },
        { id: 6, title: 'After cancelled', status: 'pending', dependencies: [7] },
        { id: 7, title: 'Cancelled idea', status: 'cancelled', dependencies: [] },
      ],
    },
  };
}

function rowOf(vm: TaskViewModel, nodeId: string): TaskRow {
  const node = vm.node(nodeId) as TaskNode;
  return taskRow(node, vm.factsOf(node));
}

function loaded(): TaskViewModel {
  const vm = new TaskViewModel();
  vm.load(project());
  return vm;
}

describe('tree rows', () => {
  it('start the label with the task id, so a narrow sidebar cuts the title and never the id', () => {
    const vm = loaded();
    expect(rowOf(vm, 'master:3').label).toBe('3 Ship it');
    expect(rowOf(vm, 'master:2.2').label).toBe('2.2 Grammar');
  });

  it('show subtask progress on parents right after the id, and to a screen reader', () => {
    const row = rowOf(loaded(), 'master:2');
    expect(row.label).toBe('2 (1/3) Write parser');
    expect(row.description).toBe('medium');
    expect(row.accessibilityLabel).toBe('Task 2: Write parser, in-progress, medium priority, 1 of 3 subtasks done');
  });

  it('mark a task blocked by unfinished or missing dependencies, with a lock and the ids', () => {
    const row = rowOf(loaded(), 'master:3');
    expect(row.icon).toBe('lock');
    expect(row.description).toBe('blocked by 2, 9 · low');
    expect(row.accessibilityLabel).toBe('Task 3: Ship it, pending, low priority, blocked by 2 (in-progress), 9 (not in this tag)');
  });

  it('do not mark a task blocked when its dependencies are done or cancelled, or when it is finished itself', () => {
    const vm = loaded();
    expect(rowOf(vm, 'master:5')).toMatchObject({ icon: 'circle-large-outline', description: 'critical' });
    expect(rowOf(vm, 'master:6').description).toBe('');
    expect(rowOf(vm, 'master:4')).toMatchObject({ icon: 'pass-filled', description: '' });
  });

  it("read a subtask's plain dependency as its sibling", () => {
    const vm = loaded();
    expect(rowOf(vm, 'master:2.2').description).toBe('');
    expect(rowOf(vm, 'master:2.3')).toMatchObject({ icon: 'lock', description: 'blocked by 2.2' });
  });

  it('name the blocking dependencies and their status in the tooltip', () => {
    const vm = loaded();
    const node = vm.node('master:3') as TaskNode;
    const tooltip = taskTooltip({ tag: 'master', taskId: '3', task: node.task, ...vm.factsOf(node) });
    expect(tooltip).toContain('**Blocked by:** 2 \\(in\\-progress\\), 9 \\(not in this tag\\)');
    const parent = vm.node('master:2') as TaskNode;
    expect(taskTooltip({ tag: 'master', taskId: '2', task: parent.task, ...vm.factsOf(parent) })).toContain('**Subtasks:** 1 of 3 done');
  });

  it('unblock the rows that depended on a subtask once it is done, refreshing them', () => {
    const vm = loaded();
    const change = vm.applyEvent({ event: 'task.status.changed', payload: { tag: 'master', id: '2.2', parentId: '2', from: 'pending', to: 'done', revision: 2 } });
    expect(change.ids).toEqual(expect.arrayContaining(['master:2.2', 'master:2', 'master:2.3']));
    expect(rowOf(vm, 'master:2.3').description).toBe('');
    expect(rowOf(vm, 'master:2').label).toBe('2 (2/3) Write parser');
  });

  it('colour icons by priority with the extension’s own theme colours, none of them grey', () => {
    expect(statusIcon('pending', 'low')).toEqual({ icon: 'circle-large-outline', color: 'taskmaster.priority.low' });
    expect(statusIcon('done', 'low').color).toBe('testing.iconPassed');
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { contributes: { colors: Array<{ id: string; defaults: Record<string, string> }> } };
    const contributed = new Map(manifest.contributes.colors.map((c) => [c.id, c.defaults]));
    for (const id of Object.values(PRIORITY_COLORS)) {
      const defaults = contributed.get(id);
      expect(defaults, id).toBeDefined();
      for (const value of Object.values(defaults!)) expect(value).not.toMatch(/disabled|descriptionForeground|gr[ae]y/i);
    }
  });

  it('label every task of the real Task Master repository file with its id first, and its parents with progress', () => {
    const data = validateTasksFile(JSON.parse(readFileSync(FIXTURE, 'utf8')));
    const vm = new TaskViewModel({ groupBy: 'tag' });
    vm.load(data);
    let parents = 0;
    for (const group of vm.roots()) {
      for (const node of vm.children(group.id) as TaskNode[]) {
        const row = taskRow(node, vm.factsOf(node));
        const subtasks = vm.children(node.id) as TaskNode[];
        if (subtasks.length > 0) {
          parents++;
          const done = subtasks.filter((s) => s.status === 'done' || s.status === 'completed').length;
          expect(row.label.startsWith(`${node.taskId} (${done}/${subtasks.length}) `)).toBe(true);
        } else {
          expect(row.label.startsWith(`${node.taskId} `)).toBe(true);
        }
        for (const sub of subtasks) expect(taskRow(sub, vm.factsOf(sub)).label.startsWith(`${sub.taskId} `)).toBe(true);
      }
    }
    expect(parents).toBeGreaterThan(50);
  });
});
