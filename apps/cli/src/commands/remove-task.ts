import { createInterface } from 'node:readline/promises';
import { AUTO_SYNC_OPTIONS, flag, required, splitList, str, TASK_OPTIONS, type Command } from '../command.js';
import { CliError, CliErrorCode } from '../cli-error.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import type { CallResult } from '../task-backend.js';
import { checkIds } from '../task-input.js';

/** `taskmaster remove-task`: delete tasks or subtasks (asks first unless `--yes`). */
export const command: Command = {
  spec: {
    name: 'remove-task',
    summary: 'remove tasks or subtasks',
    usage: 'remove-task -i|--id <id>[,<id>] [-y|--yes] [--tag <tag>] [--json]',
    options: {
      id: { type: 'string', short: 'i', value: '<ids>', description: 'task ids, comma-separated; 5.2 for a subtask (required)' },
      yes: { type: 'boolean', short: 'y', description: 'do not ask for confirmation' },
      ...TASK_OPTIONS,
      ...AUTO_SYNC_OPTIONS,
    },
    examples: ['taskmaster remove-task --id=7 --yes', 'taskmaster remove-task -i 5.2,6 -y'],
    notes:
      'Without --yes the command asks once for all ids on a terminal and refuses (exit 1) when not on one.\n' +
      'Dependencies on the removed tasks are removed from other tasks. JSON output: the result of each removal,\n' +
      'one object for one id, an array for several.',
  },
  async run(args) {
    const ids = checkIds(splitList(required(args, command.spec, 'id')), command.spec.usage);
    const tag = str(args, 'tag');
    const results = await withBackend(args, { mutates: true }, async (backend) => {
      if (!flag(args, 'yes')) {
        const titles: string[] = [];
        for (const id of ids) titles.push(`task ${id} "${(await backend.call('task.get', { id, tag })).task.title}"`);
        await confirm(ids, titles);
      }
      const results: Array<CallResult<'task.delete'>> = [];
      for (const id of ids) results.push(await backend.call('task.delete', { id, tag }));
      return results;
    });
    if (flag(args, 'json')) return printJson(results.length === 1 ? results[0] : results);
    for (const result of results) {
      say(`${color.green('Removed')} task ${result.id} ${color.dim(`(tag ${result.tag})`)}`);
      if (result.removedFrom.length > 0) say(`  and its dependency from task${result.removedFrom.length > 1 ? 's' : ''} ${result.removedFrom.join(', ')}`);
    }
  },
};

async function confirm(ids: string[], titles: string[]): Promise<void> {
  const what = ids.length === 1 ? `task ${ids[0]}` : `tasks ${ids.join(', ')}`;
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new CliError(CliErrorCode.InvalidParams, `refusing to remove ${what} without confirmation`, 'pass --yes to remove them');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`Remove ${titles.join(', ')}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      throw new CliError(CliErrorCode.InvalidParams, `${what} ${ids.length === 1 ? 'was' : 'were'} not removed`, 'answer y to remove, or pass --yes');
    }
  } finally {
    rl.close();
  }
}
