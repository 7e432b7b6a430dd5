import { AUTO_SYNC_OPTIONS, flag, splitList, str, TASK_OPTIONS, type Command } from '../command.js';
import { usageError } from '../cli-error.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import { checkIds } from '../task-input.js';

const USAGE = 'clear-subtasks -i|--id <id>[,<id>] | --all [--tag <tag>] [--json]';

/** `taskmaster clear-subtasks`: remove every subtask of some tasks, or of all tasks of a tag. */
export const command: Command = {
  spec: {
    name: 'clear-subtasks',
    summary: 'remove every subtask of some or all tasks',
    usage: USAGE,
    options: {
      id: { type: 'string', short: 'i', value: '<ids>', description: 'task ids, comma-separated' },
      all: { type: 'boolean', description: 'every task of the tag' },
      ...TASK_OPTIONS,
      ...AUTO_SYNC_OPTIONS,
    },
    examples: ['taskmaster clear-subtasks --id=5', 'taskmaster clear-subtasks --all --tag feature-x'],
    notes: 'JSON output: {"tag", "cleared": [{"id", "count"}]}.',
  },
  async run(args) {
    const all = flag(args, 'all');
    const ids = splitList(str(args, 'id'));
    if (all === (ids.length > 0)) {
      throw usageError(all ? 'give --id or --all, not both' : 'missing --id or --all', `taskmaster ${USAGE}`, 'pass --id=<ids>, or --all for every task of the tag');
    }
    const params = all ? { all: true } : { ids: checkIds(ids, USAGE) };
    const result = await withBackend(args, { mutates: true }, (backend) => backend.call('subtasks.clear', { tag: str(args, 'tag'), ...params }));
    if (flag(args, 'json')) return printJson(result);
    const cleared = result.cleared.filter((c) => c.count > 0);
    if (cleared.length === 0) {
      say(`No subtasks to clear ${color.dim(`(tag ${result.tag})`)}`);
      return;
    }
    const total = cleared.reduce((n, c) => n + c.count, 0);
    say(`${color.green('Cleared')} ${total} subtask${total === 1 ? '' : 's'} from task${cleared.length === 1 ? '' : 's'} ${cleared.map((c) => c.id).join(', ')} ${color.dim(`(tag ${result.tag})`)}`);
  },
};
