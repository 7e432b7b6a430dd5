import { flag, nonEmpty, splitList, str, TASK_OPTIONS, type Command } from '../command.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import { paintStatus } from '../status-color.js';
import { isDoneStatus, type Task } from '@taskmaster/protocol';

/** `taskmaster list`: the tasks of a tag, optionally filtered by status. */
export const command: Command = {
  spec: {
    name: 'list',
    summary: 'list tasks',
    usage: 'list [--status <s>[,<s>]] [--tag <tag>] [--with-subtasks] [--json]',
    options: {
      status: { type: 'string', value: '<s[,s]>', description: 'only tasks with one of these statuses' },
      'with-subtasks': { type: 'boolean', description: 'also print subtasks (JSON always includes them)' },
      ...TASK_OPTIONS,
    },
    examples: ['taskmaster list', 'taskmaster list --status=pending,in-progress --with-subtasks', 'taskmaster list --tag feature-x --json'],
    notes: 'JSON output: {"tag": "...", "tasks": [...]} with each task as stored, subtasks included.',
  },
  async run(args) {
    const result = await withBackend(args, { mutates: false }, (backend) =>
      backend.call('tasks.list', { tag: str(args, 'tag'), status: nonEmpty(splitList(str(args, 'status'))), withSubtasks: true }),
    );
    if (flag(args, 'json')) {
      printJson({ tag: result.tag, tasks: result.tasks });
      return;
    }
    printTable(result.tag, result.tasks, flag(args, 'with-subtasks'));
  },
};

function printTable(tag: string, tasks: Task[], withSubtasks: boolean): void {
  if (tasks.length === 0) {
    say(`No tasks in tag '${tag}'.`);
    return;
  }
  const done = tasks.filter((t) => isDoneStatus(t.status)).length;
  say(color.bold(`Tag ${tag}: ${tasks.length} task${tasks.length === 1 ? '' : 's'}, ${done} done`));
  const idWidth = Math.max(4, ...tasks.map((t) => String(t.id).length + (withSubtasks ? 4 : 0)));
  say(color.dim(`${'ID'.padEnd(idWidth)}  ${'STATUS'.padEnd(11)}  ${'PRIORITY'.padEnd(8)}  TITLE`));
  for (const task of tasks) {
    say(`${String(task.id).padEnd(idWidth)}  ${pad(paintStatus(task.status), task.status, 11)}  ${(task.priority ?? '').padEnd(8)}  ${task.title}`);
    if (!withSubtasks) continue;
    for (const sub of task.subtasks ?? []) {
      const id = `  ${task.id}.${sub.id}`;
      say(`${id.padEnd(idWidth)}  ${pad(paintStatus(sub.status), sub.status, 11)}  ${''.padEnd(8)}  ${sub.title}`);
    }
  }
}

/** Pads a coloured string by its visible length. */
function pad(painted: string, plain: string | undefined, width: number): string {
  return painted + ' '.repeat(Math.max(0, width - (plain ?? 'pending').length));
}
