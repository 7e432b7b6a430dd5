import { AUTO_SYNC_OPTIONS, flag, required, str, TASK_OPTIONS, type Command } from '../command.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import { checkIds } from '../task-input.js';

/** `taskmaster add-dependency`: make a task or subtask depend on another. */
export const command: Command = {
  spec: {
    name: 'add-dependency',
    summary: 'make a task depend on another',
    usage: 'add-dependency -i|--id <id> -d|--depends-on <id> [--tag <tag>] [--json]',
    options: {
      id: { type: 'string', short: 'i', value: '<id>', description: 'the task or subtask that gets the dependency (required)' },
      'depends-on': { type: 'string', short: 'd', value: '<id>', description: 'the task it will depend on (required)' },
      ...TASK_OPTIONS,
      ...AUTO_SYNC_OPTIONS,
    },
    examples: ['taskmaster add-dependency --id=6 --depends-on=5', 'taskmaster add-dependency -i 5.2 -d 5.1'],
    notes: 'JSON output: {"tag", "id", "dependencies"} (the dependencies afterwards).',
  },
  async run(args) {
    const [id, dependsOn] = checkIds([required(args, command.spec, 'id'), required(args, command.spec, 'depends-on')], command.spec.usage);
    const result = await withBackend(args, { mutates: true }, (backend) => backend.call('dependency.add', { tag: str(args, 'tag'), id: id!, dependsOn: dependsOn! }));
    if (flag(args, 'json')) return printJson(result);
    say(`${color.green('Added')} dependency: task ${result.id} now depends on ${dependsOn} ${color.dim(`(tag ${result.tag})`)}`);
    say(`  dependencies of ${result.id}: ${result.dependencies.length > 0 ? result.dependencies.join(', ') : 'none'}`);
  },
};
