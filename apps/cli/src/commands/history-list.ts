import { flag, type Command } from '../command.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';

/** `taskmaster history list`: the snapshots taken before each write of tasks.json. */
export const command: Command = {
  spec: {
    name: 'history list',
    summary: 'list snapshots of tasks.json, newest first',
    usage: 'history list [--json]',
    options: { json: { type: 'boolean', description: 'print JSON: {"snapshots": [{id, createdAt, bytes}]}' } },
    examples: ['taskmaster history list', 'taskmaster history list --json'],
  },
  async run(args) {
    const { snapshots } = await withBackend(args, { mutates: false }, (backend) => backend.historyList());
    if (flag(args, 'json')) return printJson({ snapshots });
    if (snapshots.length === 0) return say('No snapshots yet (one is taken before each change of tasks.json).');
    for (const s of snapshots) say(`${color.bold(s.id)}  ${s.createdAt}  ${formatBytes(s.bytes)}`);
    say(color.dim(`\nRestore one with: taskmaster history restore <id>`));
  },
};

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

