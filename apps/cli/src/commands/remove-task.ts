import { createInterface } from 'node:readline/promises';
import { AUTO_SYNC_OPTIONS, flag, required, str, TASK_OPTIONS, type Command } from '../command.js';
import { CliError, CliErrorCode } from '../cli-error.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import { checkIds } from '../task-input.js';

/** `taskmaster remove-task`: delete a task or subtask (asks first unless `--yes`). */
export const command: Command = {
  spec: {
    name: 'remove-task',
    summary: 'remove a task or subtask',
    usage: 'remove-task --id <id> [-y|--yes] [--tag <tag>] [--json]',
    options: {
      id: { type: 'string', value: '<id>', description: 'task id, or 5.2 for a subtask (required)' },
      yes: { type: 'boolean', short: 'y', description: 'do not ask for confirmation' },
      ...TASK_OPTIONS,
      ...AUTO_SYNC_OPTIONS,
    },
    examples: ['taskmaster remove-task --id=7 --yes', 'taskmaster remove-task --id 5.2'],
    notes: 'Without --yes the command asks on a terminal and refuses (exit 1) when not on one.\nDependencies on the removed task are removed from other tasks.',
  },
  async run(args) {
    const [id] = checkIds([required(args, command.spec, 'id')], command.spec.usage);
    const tag = str(args, 'tag');
    const result = await withBackend(args, { mutates: true }, async (backend) => {
      if (!flag(args, 'yes')) await confirm(id!, (await backend.call('task.get', { id: id!, tag })).task.title);
      return backend.call('task.delete', { id: id!, tag });
    });
    if (flag(args, 'json')) return printJson(result);
    say(`${color.green('Removed')} task ${result.id} ${color.dim(`(tag ${result.tag})`)}`);
    if (result.removedFrom.length > 0) say(`  and its dependency from task${result.removedFrom.length > 1 ? 's' : ''} ${result.removedFrom.join(', ')}`);
  },
};

async function confirm(id: string, title: string): Promise<void> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new CliError(CliErrorCode.InvalidParams, `refusing to remove task ${id} without confirmation`, 'pass --yes to remove it');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`Remove task ${id} "${title}"? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      throw new CliError(CliErrorCode.InvalidParams, `task ${id} was not removed`, 'answer y to remove it, or pass --yes');
    }
  } finally {
    rl.close();
  }
}
