import { overriddenNoticeId } from '@taskmaster/protocol';
import { CliError, CliErrorCode } from '../cli-error.js';
import { flag, required, TASK_OPTIONS, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import { standingNotice } from '../overridden-notices.js';
import { checkIds } from '../task-input.js';

/** `taskmaster dismiss`: keeps what another program wrote over a change, and drops the notice for every client. */
export const command: Command = {
  spec: {
    name: 'dismiss',
    summary: 'keep what another program wrote over a change, and drop its notice',
    usage: 'dismiss --id <id> [--tag <tag>] [--json]',
    options: {
      id: { type: 'string', value: '<id>', description: 'the task (5) or subtask (5.2) whose change was written over (required)' },
      ...TASK_OPTIONS,
    },
    examples: ['taskmaster dismiss --id=3', 'taskmaster dismiss --id 5.2 --tag feature'],
    notes:
      "The other side of 'taskmaster put-back': the values another program wrote stay, and the notice that\nnames what they replaced goes — from 'sync server status', from every board and VS Code window, and\nfrom what the server keeps across restarts. Nothing in tasks.json changes. With no server running, it\ngoes from what the last server kept (.taskmaster/tasks/history/overridden.json).",
  },
  async run(args) {
    const [id] = checkIds([required(args, command.spec, 'id')], command.spec.usage);
    await withBackend(args, { mutates: true }, async (backend, store) => {
      const notice = await standingNotice(args, backend, store, id!);
      const result = await backend.call('overridden.dismiss', { notice: overriddenNoticeId(notice) });
      // Put back or dismissed elsewhere between the look-up and now.
      if (!result.dismissed) {
        throw new CliError(CliErrorCode.InvalidParams, `nothing of task ${id} in tag ${notice.tag} stands written over any more`, undefined, { exitCode: ExitCode.UserError });
      }
      if (flag(args, 'json')) return printJson({ tag: notice.tag, id: notice.id, fields: notice.fields, ...result });
      say(`${color.green('Dismissed')} task ${notice.id}: ${notice.fields.join(', ')} keeps what the other program wrote ${color.dim(`(tag ${notice.tag})`)}`);
    });
  },
};
