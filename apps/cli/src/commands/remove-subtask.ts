import { AUTO_SYNC_OPTIONS, flag, required, splitList, str, TASK_OPTIONS, type Command } from '../command.js';
import { withBackend } from '../open-backend.js';
import { color, note, printJson, say } from '../output.js';
import { checkSubtaskIds } from '../task-input.js';

/** `taskmaster remove-subtask`: delete subtasks, or with `--convert` make each a task of its own. */
export const command: Command = {
  spec: {
    name: 'remove-subtask',
    summary: 'remove subtasks, or turn them into tasks',
    usage: 'remove-subtask -i|--id <5.2>[,<5.3>] [-c|--convert] [--tag <tag>] [--json]',
    options: {
      id: { type: 'string', short: 'i', value: '<ids>', description: 'subtask ids (parent.subtask), comma-separated (required)' },
      convert: { type: 'boolean', short: 'c', description: 'keep each as a task of its own instead of deleting it' },
      generate: { type: 'boolean', description: 'accepted for Task Master scripts; taskmaster writes no task files, so it does nothing' },
      ...TASK_OPTIONS,
      ...AUTO_SYNC_OPTIONS,
    },
    examples: ['taskmaster remove-subtask --id=5.2', 'taskmaster remove-subtask -i 5.2,5.3 --convert'],
    notes: 'JSON output: {"tag", "removed": [{"id", "convertedTo"?}]}.',
  },
  async run(args) {
    const ids = checkSubtaskIds(splitList(required(args, command.spec, 'id')), command.spec.usage);
    if (flag(args, 'generate')) note('note: --generate does nothing here: taskmaster writes no task files.');
    const result = await withBackend(args, { mutates: true }, (backend) =>
      backend.call('subtask.remove', { tag: str(args, 'tag'), ids, ...(flag(args, 'convert') ? { convert: true } : {}) }),
    );
    if (flag(args, 'json')) return printJson(result);
    for (const r of result.removed) {
      say(r.convertedTo ? `${color.green('Converted')} subtask ${r.id} to task ${r.convertedTo}` : `${color.green('Removed')} subtask ${r.id}`);
    }
    say(color.dim(`(tag ${result.tag})`));
  },
};
