import { AUTO_SYNC_OPTIONS, flag, required, splitList, str, TASK_OPTIONS, type Command } from '../command.js';
import { usageError } from '../cli-error.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import { checkIds, checkPriority, toTaskIds } from '../task-input.js';

/** `taskmaster update-task`: change fields of a task or subtask; other fields are kept. */
export const command: Command = {
  spec: {
    name: 'update-task',
    summary: 'change fields of a task or subtask',
    usage: 'update-task --id <id> [--title <t>] [--description <d>] [--details <d>] [--priority <p>] [--dependencies 1,2] [--tag <tag>] [--json]',
    options: {
      id: { type: 'string', value: '<id>', description: 'task id, or 5.2 for a subtask (required)' },
      title: { type: 'string', value: '<title>', description: 'new title' },
      description: { type: 'string', value: '<text>', description: 'new description' },
      details: { type: 'string', value: '<text>', description: 'new details' },
      priority: { type: 'string', value: '<p>', description: 'low, medium, high or critical' },
      dependencies: { type: 'string', value: '<ids>', description: 'replace the dependencies (comma-separated ids)' },
      ...TASK_OPTIONS,
      ...AUTO_SYNC_OPTIONS,
    },
    examples: ['taskmaster update-task --id=5 --priority=high', 'taskmaster update-task --id 5.2 --title "Clearer title"'],
    notes: 'Use set-status to change a status.',
  },
  async run(args) {
    const [id] = checkIds([required(args, command.spec, 'id')], command.spec.usage);
    const changes: Record<string, unknown> = {};
    for (const field of ['title', 'description', 'details'] as const) {
      const value = str(args, field);
      // Task Master's tasks all have a title: said here in the option's words, not as the schema's "changes.title".
      if (field === 'title' && value === '') throw usageError('--title cannot be empty', `taskmaster ${command.spec.usage}`, 'give the new title, or leave --title out');
      if (value !== undefined) changes[field] = value;
    }
    const priority = checkPriority(str(args, 'priority'), command.spec.usage);
    if (priority) changes.priority = priority;
    if (str(args, 'dependencies') !== undefined) changes.dependencies = toTaskIds(splitList(str(args, 'dependencies')));
    if (Object.keys(changes).length === 0) {
      throw usageError('nothing to change', `taskmaster ${command.spec.usage}`, 'pass at least one of --title, --description, --details, --priority, --dependencies');
    }
    // Typed by a person who means "set this": no base to merge against, whatever sync.json's strategy for clients.
    const result = await withBackend(args, { mutates: true }, (backend) => backend.call('task.update', { id: id!, changes, tag: str(args, 'tag'), strategy: 'last-write-wins' }));
    if (flag(args, 'json')) return printJson(result);
    const changed = result.changed.length > 0 ? result.changed.join(', ') : 'nothing (values were the same)';
    say(`${color.green('Updated')} task ${result.id}: ${changed} ${color.dim(`(tag ${result.tag})`)}`);
  },
};
