import { AUTO_SYNC_OPTIONS, flag, required, splitList, str, TASK_OPTIONS, type Command } from '../command.js';
import { usageError } from '../cli-error.js';
import { withBackend } from '../open-backend.js';
import { color, note, printJson, say } from '../output.js';
import { checkIds, checkStatus, toTaskIds } from '../task-input.js';

const USAGE =
  'add-subtask -p|--parent <id> (-t|--title <title> [-d|--description <text>] [--details <text>] [--dependencies <ids>] [-s|--status <s>] | -i|--task-id <id>) [--tag <tag>] [--json]';

/** `taskmaster add-subtask`: a new subtask of a task, or an existing task turned into one. */
export const command: Command = {
  spec: {
    name: 'add-subtask',
    summary: 'add a subtask, or turn a task into one',
    usage: USAGE,
    options: {
      parent: { type: 'string', short: 'p', value: '<id>', description: 'the task that gets the subtask (required)' },
      'task-id': { type: 'string', short: 'i', value: '<id>', description: 'an existing task to turn into a subtask of --parent' },
      title: { type: 'string', short: 't', value: '<title>', description: 'title of a new subtask' },
      description: { type: 'string', short: 'd', value: '<text>', description: 'its description' },
      details: { type: 'string', value: '<text>', description: 'its implementation details' },
      dependencies: { type: 'string', value: '<ids>', description: 'comma-separated ids it depends on (5.1, or 1 for a sibling)' },
      status: { type: 'string', short: 's', value: '<status>', description: 'its status (default pending)' },
      generate: { type: 'boolean', description: 'accepted for Task Master scripts; taskmaster writes no task files, so it does nothing' },
      ...TASK_OPTIONS,
      ...AUTO_SYNC_OPTIONS,
    },
    examples: ['taskmaster add-subtask --parent=5 --title="Write tests" --dependencies=5.1', 'taskmaster add-subtask -p 5 -i 8'],
    notes: 'Give either --title (a new subtask) or --task-id (a task to convert; it keeps its fields). JSON output: {"tag", "id", "task"}.',
  },
  async run(args) {
    const [parentId] = checkIds([required(args, command.spec, 'parent')], USAGE);
    const taskId = str(args, 'task-id');
    const title = str(args, 'title');
    if (taskId !== undefined && title !== undefined) throw usageError('give --title or --task-id, not both', `taskmaster ${USAGE}`);
    if (taskId === undefined && title === undefined) {
      throw usageError('missing --title or --task-id', `taskmaster ${USAGE}`, 'pass --title for a new subtask, or --task-id to turn a task into one');
    }
    if (flag(args, 'generate')) note('note: --generate does nothing here: taskmaster writes no task files.');
    const status = str(args, 'status');
    const task =
      title === undefined
        ? undefined
        : {
            title,
            ...(str(args, 'description') !== undefined ? { description: str(args, 'description') } : {}),
            ...(str(args, 'details') !== undefined ? { details: str(args, 'details') } : {}),
            ...(str(args, 'dependencies') !== undefined ? { dependencies: toTaskIds(checkIds(splitList(str(args, 'dependencies')), USAGE)) } : {}),
            ...(status !== undefined ? { status: checkStatus(status, USAGE) } : {}),
          };
    const [converted] = taskId === undefined ? [] : checkIds([taskId], USAGE);
    const result = await withBackend(args, { mutates: true }, (backend) =>
      backend.call('subtask.add', { tag: str(args, 'tag'), parentId: parentId!, ...(task ? { task } : { taskId: converted! }) }),
    );
    if (flag(args, 'json')) return printJson(result);
    const what = converted ? `task ${converted} is now subtask ${result.id}` : `subtask ${result.id}`;
    say(`${color.green(converted ? 'Converted' : 'Created')} ${what}: ${result.task.title} ${color.dim(`(tag ${result.tag})`)}`);
  },
};
