import { createInterface } from 'node:readline/promises';
import { AUTO_SYNC_OPTIONS, flag, required, type Command } from '../command.js';
import { CliError, CliErrorCode } from '../cli-error.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';

/** `taskmaster delete-tag <name>` (also `tags remove`): delete a tag and its tasks, after asking twice as Task Master does. */
export const command: Command = {
  spec: {
    name: 'delete-tag',
    summary: 'delete a tag and its tasks',
    usage: 'delete-tag <name> [-y|--yes] [--json]',
    options: {
      yes: { type: 'boolean', short: 'y', description: 'do not ask for confirmation' },
      json: { type: 'boolean', description: 'print JSON' },
      ...AUTO_SYNC_OPTIONS,
    },
    maxPositionals: 1,
    examples: ['taskmaster delete-tag old-feature --yes'],
    notes:
      'A tag with tasks is deleted only after a yes and its name typed again on a terminal, or with --yes; without\n' +
      "a terminal and without --yes it is refused (exit 1). An empty tag is deleted at once. 'taskmaster history'\n" +
      'has a snapshot from before. JSON output: {"deleted", "taskCount"}.',
  },
  async run(args) {
    const name = required(args, command.spec, 'name', 0);
    const result = await withBackend(args, { mutates: true }, async (backend) => {
      if (!flag(args, 'yes')) {
        // An unknown tag falls through to tag.delete, whose error names the tags there are.
        const count = (await backend.call('tags.list', {})).tags.find((t) => t.name === name)?.taskCount ?? 0;
        if (count > 0) await confirm(name, count);
      }
      return backend.call('tag.delete', { name });
    });
    if (flag(args, 'json')) return printJson({ deleted: result.deleted, taskCount: result.taskCount });
    say(`${color.green('Deleted')} tag ${result.deleted} and its ${result.taskCount} task${result.taskCount === 1 ? '' : 's'}`);
  },
};

async function confirm(name: string, count: number): Promise<void> {
  const what = `tag ${name} and its ${count} task${count === 1 ? '' : 's'}`;
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new CliError(CliErrorCode.InvalidParams, `refusing to delete ${what} without confirmation`, 'pass --yes to delete it');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const yes = await rl.question(`Delete ${what}? This cannot be undone. [y/N] `);
    if (!/^y(es)?$/i.test(yes.trim())) throw new CliError(CliErrorCode.InvalidParams, `tag ${name} was not deleted`, 'answer y to delete it, or pass --yes');
    const typed = await rl.question(`Type the tag name "${name}" to confirm: `);
    if (typed.trim() !== name) throw new CliError(CliErrorCode.InvalidParams, `tag ${name} was not deleted: the name typed did not match`, 'type the name exactly, or pass --yes');
  } finally {
    rl.close();
  }
}
