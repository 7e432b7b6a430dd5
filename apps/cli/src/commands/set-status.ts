import { AUTO_SYNC_OPTIONS, flag, required, splitList, str, TASK_OPTIONS, TM_CORE_OPTIONS, type Command } from '../command.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import { paintStatus } from '../status-color.js';
import { checkIds, checkStatus } from '../task-input.js';

/** `taskmaster set-status` (alias `status`): one status for one or more tasks or subtasks. */
export const command: Command = {
  spec: {
    name: 'set-status',
    summary: 'set the status of tasks or subtasks',
    usage: 'set-status <id>[,<id>] <status> | set-status -i|--id <id>[,<id>] -s|--status <status> [--tag <tag>] [--json]',
    options: {
      id: { type: 'string', short: 'i', value: '<ids>', description: 'task ids, comma-separated; 5.2 for a subtask (or the first argument)' },
      status: { type: 'string', short: 's', value: '<status>', description: 'pending, in-progress, done, review, deferred or cancelled (or the second argument)' },
      ...TASK_OPTIONS,
      ...TM_CORE_OPTIONS,
      ...AUTO_SYNC_OPTIONS,
    },
    maxPositionals: 2,
    examples: ['taskmaster set-status 5 done', 'taskmaster set-status --id=5 --status=done', 'taskmaster set-status -i 5.1,5.2 -s in-progress'],
  },
  async run(args) {
    // Positionals win over the flags, as in Task Master (`set-status 5 done`).
    const ids = checkIds(splitList(args.positionals[0] ?? required(args, command.spec, 'id', 0)), command.spec.usage);
    const status = checkStatus(args.positionals[1] ?? required(args, command.spec, 'status', 1), command.spec.usage);
    const result = await withBackend(args, { mutates: true }, (backend) => backend.call('task.setStatus', { ids, status, tag: str(args, 'tag') }));
    if (flag(args, 'json')) return printJson(result);
    for (const t of result.tasks) {
      say(`${color.green('✓')} task ${t.id}: ${t.from ?? 'none'} → ${paintStatus(t.to)}`);
    }
  },
};
