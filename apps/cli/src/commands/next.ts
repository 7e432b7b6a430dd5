import { flag, str, TASK_OPTIONS_T, TM_CORE_OPTIONS, type Command } from '../command.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import { paintStatus } from '../status-color.js';

/** `taskmaster next`: the task to work on next, picked as Task Master picks it. */
export const command: Command = {
  spec: {
    name: 'next',
    summary: 'show the next task to work on',
    usage: 'next [-t|--tag <tag>] [--json]',
    options: { ...TASK_OPTIONS_T, ...TM_CORE_OPTIONS },
    examples: ['taskmaster next', 'taskmaster next -t feature-x --json'],
    notes:
      'Task Master\'s rule: a pending or in-progress subtask of a task in progress first, else a pending or\n' +
      'in-progress task whose dependencies are done; highest priority, then fewest dependencies, then lowest id.\n' +
      'JSON output: {"tag", "next": {"id", "parentId"?, "task"} | null}.',
  },
  async run(args) {
    const { result, taskCount } = await withBackend(args, { mutates: false }, async (backend) => {
      const result = await backend.call('tasks.next', { tag: str(args, 'tag') });
      // Only to tell "nothing ready" from "no tasks at all" when there is no next task.
      const taskCount = result.next ? undefined : (await backend.call('tasks.list', { tag: result.tag, withSubtasks: false })).tasks.length;
      return { result, taskCount };
    });
    if (flag(args, 'json')) return printJson({ tag: result.tag, next: result.next });
    const next = result.next;
    if (!next) {
      say(
        taskCount === 0
          ? `No tasks in tag '${result.tag}'. Add one with 'taskmaster add-task --title "…"'.`
          : `No task is ready in tag '${result.tag}': every task is done, in progress elsewhere, deferred or waiting on dependencies. See them with 'taskmaster list'.`,
      );
      return;
    }
    const task = next.task;
    say(color.bold(`Next task: ${next.id} ${task.title}`) + color.dim(`  (tag ${result.tag}${next.parentId ? `, subtask of task ${next.parentId}` : ''})`));
    say(`Status:       ${paintStatus(task.status)}`);
    if ('priority' in task && task.priority) say(`Priority:     ${String(task.priority)}`);
    if (task.dependencies?.length) say(`Dependencies: ${task.dependencies.join(', ')}`);
    if (task.description) say(`\n${task.description}`);
    say(`\n${color.dim('Start it:')}  taskmaster set-status ${next.id} in-progress`);
    say(`${color.dim('Details:')}   taskmaster show ${next.id}`);
  },
};
