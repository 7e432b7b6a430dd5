import { AUTO_SYNC_OPTIONS, flag, required, type Command } from '../command.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';

/** `taskmaster history restore <snapshot>`: put a snapshot back as tasks.json. */
export const command: Command = {
  spec: {
    name: 'history restore',
    summary: 'restore tasks.json from a snapshot',
    usage: 'history restore <snapshot> [--json]',
    options: {
      json: { type: 'boolean', description: 'print JSON' },
      ...AUTO_SYNC_OPTIONS,
    },
    maxPositionals: 1,
    examples: ['taskmaster history list', 'taskmaster history restore 2025-01-31T10-00-00-000Z'],
    notes: 'The current tasks.json is snapshotted first, so a restore can itself be undone.\nWith a server running, every client receives the differences as events.',
  },
  async run(args) {
    const id = required(args, command.spec, 'snapshot', 0);
    const result = await withBackend(args, { mutates: true }, (backend) => backend.call('history.restore', { id }));
    if (flag(args, 'json')) return printJson(result);
    say(`${color.green('Restored')} tasks.json from snapshot ${result.restored}`);
  },
};
