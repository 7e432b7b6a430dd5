import { AUTO_SYNC_OPTIONS, flag, required, str, type Command } from '../command.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';

/** `taskmaster copy-tag <source> <target>` (also `tags copy`): a new tag with copies of another's tasks. */
export const command: Command = {
  spec: {
    name: 'copy-tag',
    summary: 'copy a tag with its tasks to a new tag',
    usage: 'copy-tag <source> <target> [-d|--description <text>] [--json]',
    options: {
      description: { type: 'string', short: 'd', value: '<text>', description: 'what the new tag is for' },
      json: { type: 'boolean', description: 'print JSON' },
      ...AUTO_SYNC_OPTIONS,
    },
    maxPositionals: 2,
    examples: ['taskmaster copy-tag master sprint-2 -d "Sprint 2 plan"'],
    notes: 'JSON output: {"tag": {"name", "taskCount", "completedCount", "description"?}}.',
  },
  async run(args) {
    const from = required(args, command.spec, 'source', 0);
    const to = required(args, command.spec, 'target', 1);
    const description = str(args, 'description');
    const result = await withBackend(args, { mutates: true }, (backend) => backend.call('tag.copy', { from, to, ...(description !== undefined ? { description } : {}) }));
    if (flag(args, 'json')) return printJson({ tag: result.tag });
    say(`${color.green('Copied')} tag ${from} to ${result.tag.name} (${result.tag.taskCount} task${result.tag.taskCount === 1 ? '' : 's'})`);
  },
};
