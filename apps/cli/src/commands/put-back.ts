import { overriddenText, putBackUpdate } from '@taskmaster/protocol';
import { CliError, CliErrorCode } from '../cli-error.js';
import { flag, required, TASK_OPTIONS, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import { standingNotice } from '../overridden-notices.js';
import { checkIds } from '../task-input.js';

/** `taskmaster put-back`: writes back a change another program wrote over, as the sync server remembers it. */
export const command: Command = {
  spec: {
    name: 'put-back',
    summary: 'put back a change another program wrote over',
    usage: 'put-back --id <id> [--tag <tag>] [--json]',
    options: {
      id: { type: 'string', value: '<id>', description: 'the task (5) or subtask (5.2) whose change was written over (required)' },
      ...TASK_OPTIONS,
    },
    examples: ['taskmaster put-back --id=3', 'taskmaster put-back --id 5.2 --tag feature'],
    notes:
      "Task Master writes back a tag it read before taking its lock, over fields changed meanwhile. The sync\nserver keeps its values and remembers what they replaced while they stand: 'taskmaster sync server\nstatus' lists them. This sets those fields back, through the server, or with none running in the file\nitself, from what the last server kept (.taskmaster/tasks/history/overridden.json). To keep the other\nprogram's values instead: 'taskmaster dismiss'.",
  },
  async run(args) {
    const [id] = checkIds([required(args, command.spec, 'id')], command.spec.usage);
    await withBackend(args, { mutates: true }, async (backend, store) => {
      const change = await standingNotice(args, backend, store, id!);
      const update = putBackUpdate(change);
      if (!update) {
        // A delete, or a field removed here: only the version before, from history, has it.
        const fix = change.snapshot !== undefined ? `taskmaster history restore ${change.snapshot}` : "'taskmaster history list' shows the versions to restore";
        throw new CliError(CliErrorCode.InvalidParams, `${overriddenText(change)} No single update puts that back.`, fix, { exitCode: ExitCode.UserError });
      }
      // The values as they were here, over whatever the other program wrote: no base to merge against.
      const result = await backend.call('task.update', { ...update, strategy: 'last-write-wins' });
      if (flag(args, 'json')) return printJson(result);
      say(`${color.green('Put back')} task ${result.id}: ${change.fields.join(', ')} ${color.dim(`(tag ${result.tag})`)}`);
    });
  },
};
