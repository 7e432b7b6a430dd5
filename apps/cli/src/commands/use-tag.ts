import { AUTO_SYNC_OPTIONS, flag, required, type Command } from '../command.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';

/** `taskmaster use-tag <name>` (also `tags use`): make a tag the current one, for every verb without --tag. */
export const command: Command = {
  spec: {
    name: 'use-tag',
    summary: 'make a tag the current one',
    usage: 'use-tag <name> [--json]',
    options: { json: { type: 'boolean', description: 'print JSON' }, ...AUTO_SYNC_OPTIONS },
    maxPositionals: 1,
    examples: ['taskmaster use-tag feature-x', 'taskmaster use-tag master'],
    notes: 'The current tag is kept in .taskmaster/state.json, as Task Master keeps it. JSON output: {"current", "previous", "taskCount"}.',
  },
  async run(args) {
    const name = required(args, command.spec, 'name', 0);
    const result = await withBackend(args, { mutates: true }, (backend) => backend.call('tag.use', { name }));
    if (flag(args, 'json')) return printJson(result);
    say(`${color.green('Switched')} to tag ${result.current} (${result.taskCount} task${result.taskCount === 1 ? '' : 's'}) ${color.dim(`— was ${result.previous}`)}`);
  },
};
