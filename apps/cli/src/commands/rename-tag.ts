import { AUTO_SYNC_OPTIONS, flag, required, type Command } from '../command.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';

/** `taskmaster rename-tag <old> <new>` (also `tags rename`). */
export const command: Command = {
  spec: {
    name: 'rename-tag',
    summary: 'rename a tag',
    usage: 'rename-tag <old> <new> [--json]',
    options: { json: { type: 'boolean', description: 'print JSON' }, ...AUTO_SYNC_OPTIONS },
    maxPositionals: 2,
    examples: ['taskmaster rename-tag feature-x feature-login'],
    notes: 'When it was the current tag, the new name becomes current, as with Task Master. JSON output: {"from", "to", "current"}.',
  },
  async run(args) {
    const from = required(args, command.spec, 'old', 0);
    const to = required(args, command.spec, 'new', 1);
    const result = await withBackend(args, { mutates: true }, (backend) => backend.call('tag.rename', { from, to }));
    if (flag(args, 'json')) return printJson({ from: result.from, to: result.to, current: result.current === true });
    say(`${color.green('Renamed')} tag ${result.from} → ${result.to}${result.current ? color.dim(' (still the current tag)') : ''}`);
  },
};
