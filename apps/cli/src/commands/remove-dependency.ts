import { AUTO_SYNC_OPTIONS, flag, required, str, TASK_OPTIONS, type Command } from '../command.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import { checkIds } from '../task-input.js';

/** `taskmaster remove-dependency`: drop one dependency of a task or subtask. */
export const command: Command = {
  spec: {
    name: 'remove-dependency',
    summary: 'remove a dependency of a task',
    usage: 'remove-dependency -i|--id <id> -d|--depends-on <id> [--tag <tag>] [--json]',
    options: {
      id: { type: 'string', short: 'i', value: '<id>', description: 'the task or subtask to change (required)' },
      'depends-on': { type: 'string', short: 'd', value: '<id>', description: 'the dependency to remove (required)' },
      ...TASK_OPTIONS,
      ...AUTO_SYNC_OPTIONS,
    },
    examples: ['taskmaster remove-dependency --id=6 --depends-on=5', 'taskmaster remove-dependency -i 5.2 -d 5.1'],
    notes: 'JSON output: {"tag", "id", "dependencies"} (the dependencies afterwards).',
  },
  async run(args) {
    const [id, dependsOn] = checkIds([required(args, command.spec, 'id'), required(args, command.spec, 'depends-on')], command.spec.usage);
    const result = await withBackend(args, { mutates: true }, (backend) => backend.call('dependency.remove', { tag: str(args, 'tag'), id: id!, dependsOn: dependsOn! }));
    if (flag(args, 'json')) return printJson(result);
    say(`${color.green('Removed')} dependency: task ${result.id} no longer depends on ${dependsOn} ${color.dim(`(tag ${result.tag})`)}`);
    say(`  dependencies of ${result.id}: ${result.dependencies.length > 0 ? result.dependencies.join(', ') : 'none'}`);
  },
};
