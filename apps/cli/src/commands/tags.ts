import { flag, type Command } from '../command.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';

/** `taskmaster tags` (also `tags list`): every tag with its task counts, the current one first. */
export const command: Command = {
  spec: {
    name: 'tags',
    summary: 'list tags with their task counts',
    usage: 'tags [--show-metadata] [--ready] [--json]',
    options: {
      'show-metadata': { type: 'boolean', description: 'also print each tag\'s description' },
      ready: { type: 'boolean', description: 'only tags that have a task ready to work on' },
      json: { type: 'boolean', description: 'print JSON' },
    },
    examples: ['taskmaster tags', 'taskmaster tags --show-metadata', 'taskmaster tags list --ready --json'],
    notes:
      'Ready: pending or in-progress tasks whose dependencies are all done. Subcommands as in Task Master:\n' +
      "'tags add|use|remove|rename|copy' are add-tag, use-tag, delete-tag, rename-tag, copy-tag.\n" +
      'A tag another tool left invalid is listed with its problem, and cannot be used until it is fixed.\n' +
      'JSON output: {"current", "tags": [{"name", "taskCount", "readyCount", "completedCount", "description"?, "problem"?}]}.',
  },
  async run(args) {
    const { current, tags } = await withBackend(args, { mutates: false }, async (backend) => {
      const listed = await backend.call('tags.list', {});
      const tags = [];
      for (const t of listed.tags) {
        // A broken tag cannot be read: no ready count, its problem instead.
        const readyCount = t.problem !== undefined ? 0 : (await backend.call('tasks.list', { tag: t.name, ready: true, withSubtasks: false })).tasks.length;
        tags.push({
          name: t.name,
          taskCount: t.taskCount,
          readyCount,
          completedCount: t.completedCount,
          ...(t.description !== undefined ? { description: t.description } : {}),
          ...(t.problem !== undefined ? { problem: t.problem } : {}),
        });
      }
      // Task Master's order: the current tag, then by name.
      tags.sort((a, b) => (a.name === listed.current ? -1 : b.name === listed.current ? 1 : a.name.localeCompare(b.name)));
      return { current: listed.current, tags: flag(args, 'ready') ? tags.filter((t) => t.readyCount > 0) : tags };
    });
    if (flag(args, 'json')) return printJson({ current, tags });
    if (tags.length === 0) {
      say(flag(args, 'ready') ? 'No tag has a task ready to work on.' : 'No tags.');
      return;
    }
    const nameWidth = Math.max(8, ...tags.map((t) => t.name.length + 2 + (t.name === current ? 10 : 0)));
    const metadata = flag(args, 'show-metadata');
    say(color.dim(`${'TAG'.padEnd(nameWidth)}  ${'TASKS'.padStart(5)}  ${'READY'.padStart(5)}  ${'DONE'.padStart(5)}${metadata ? '  DESCRIPTION' : ''}`));
    for (const t of tags) {
      const name = t.name === current ? `● ${t.name} (current)` : `  ${t.name}`;
      const painted = t.name === current ? color.green(name) : name;
      const counts = `${String(t.taskCount).padStart(5)}  ${(t.problem !== undefined ? '-' : String(t.readyCount)).padStart(5)}  ${String(t.completedCount).padStart(5)}`;
      const invalid = t.problem !== undefined ? `  ${color.red(`invalid: ${t.problem}`)}` : '';
      say(`${painted}${' '.repeat(Math.max(0, nameWidth - name.length))}  ${counts}${metadata ? `  ${t.description ?? color.dim('(no description)')}` : ''}${invalid}`);
    }
  },
};
