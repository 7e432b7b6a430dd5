import { AUTO_SYNC_OPTIONS, flag, required, splitList, str, TASK_OPTIONS, type Command } from '../command.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import { checkPriority, toTaskIds } from '../task-input.js';

/** `taskmaster add-task`: a new task, or a subtask with `--parent`. */
export const command: Command = {
  spec: {
    name: 'add-task',
    summary: 'add a task or subtask',
    usage: 'add-task -t|--title <title> [-d|--description <text>] [--details <text>] [--priority <p>] [--dependencies 1,2] [--parent <id>] [--tag <tag>] [--json]',
    options: {
      title: { type: 'string', short: 't', value: '<title>', description: 'title (required)' },
      description: { type: 'string', short: 'd', value: '<text>', description: 'one-line description' },
      details: { type: 'string', value: '<text>', description: 'implementation details' },
      priority: { type: 'string', value: '<p>', description: 'low, medium, high or critical' },
      dependencies: { type: 'string', value: '<ids>', description: 'comma-separated ids this task depends on' },
      parent: { type: 'string', value: '<id>', description: 'add as a subtask of this task' },
      ...TASK_OPTIONS,
      ...AUTO_SYNC_OPTIONS,
    },
    examples: [
      'taskmaster add-task --title "Add login page" --description "Email + password" --priority high',
      'taskmaster add-task -t "Write tests" -d "Unit tests for the form" --dependencies=1',
    ],
    notes: "Task Master's AI options (--prompt, --research) are not taken: give the title and fields yourself.",
  },
  async run(args) {
    const title = required(args, command.spec, 'title');
    const priority = checkPriority(str(args, 'priority'), command.spec.usage);
    const input = {
      title,
      ...(str(args, 'description') !== undefined ? { description: str(args, 'description') } : {}),
      ...(str(args, 'details') !== undefined ? { details: str(args, 'details') } : {}),
      ...(priority ? { priority } : {}),
      ...(str(args, 'dependencies') !== undefined ? { dependencies: toTaskIds(splitList(str(args, 'dependencies'))) } : {}),
    };
    const result = await withBackend(args, { mutates: true }, (backend) =>
      backend.call('task.create', { task: input, tag: str(args, 'tag'), parentId: str(args, 'parent') }),
    );
    if (flag(args, 'json')) return printJson(result);
    say(`${color.green('Created')} ${str(args, 'parent') ? 'subtask' : 'task'} ${result.id}: ${result.task.title} ${color.dim(`(tag ${result.tag})`)}`);
  },
};
