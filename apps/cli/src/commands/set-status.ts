import { AUTO_SYNC_OPTIONS, flag, required, splitList, str, TASK_OPTIONS, type Command } from '../command.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import { paintStatus } from '../status-color.js';
import { checkIds, checkStatus } from '../task-input.js';

/** `taskmaster set-status`: one status for one or more tasks or subtasks. */
export const command: Command = {
  spec: {
    name: 'set-status',
    summary: 'set the status of tasks or subtasks',
    usage: 'set-status --id <id>[,<id>] --status <status> [--tag <tag>] [--json]',
    options: {
      id: { type: 'string', value: '<ids>', description: 'task ids, comma-separated; 5.2 for a subtask (required)' },
      status: { type: 'string', value: '<status>', description: 'pending, in-progress, done, review, deferred, cancelled, blocked (required)' },
      ...TASK_OPTIONS,
      ...AUTO_SYNC_OPTIONS,
    },
    examples: ['taskmaster set-status --id=5 --status=done', 'taskmaster set-status --id 5.1,5.2 --status in-progress'],
  },
  async run(args) {
    const ids = checkIds(splitList(required(args, command.spec, 'id')), command.spec.usage);
    const status = checkStatus(required(args, command.spec, 'status'), command.spec.usage);
    const result = await withBackend(args, { mutates: true }, (backend) => backend.call('task.setStatus', { ids, status, tag: str(args, 'tag') }));
    if (flag(args, 'json')) return printJson(result);
    for (const t of result.tasks) {
      say(`${color.green('✓')} task ${t.id}: ${t.from ?? 'none'} → ${paintStatus(t.to)}`);
    }
  },
};
