import path from 'node:path';
import { flag, str, type Command } from '../command.js';
import { color, printJson, say } from '../output.js';

/** `taskmaster init`: create `.taskmaster` and its files; existing files are left alone. */
export const command: Command = {
  spec: {
    name: 'init',
    summary: 'create .taskmaster in this project (safe to run again)',
    usage: 'init [--root <dir>] [--json]',
    options: { json: { type: 'boolean', description: 'print what was created as JSON' } },
    examples: ['taskmaster init', 'taskmaster init --root ~/projects/app'],
    notes: 'Creates tasks/tasks.json, config/sync.json, sparc/mappings.json and the logs and\nhistory folders under .taskmaster/. Files that already exist are never overwritten.',
  },
  async run(args) {
    const root = path.resolve(str(args, 'root') ?? (process.env.TASK_MASTER_PROJECT_ROOT?.trim() || process.cwd()));
    const { initProject } = await import('@taskmaster/store');
    const { created } = await initProject(root);
    const rel = created.map((p) => (path.isAbsolute(p) ? path.relative(root, p) : p));
    if (flag(args, 'json')) {
      printJson({ root, created: rel, alreadyInitialized: rel.length === 0 });
      return;
    }
    if (rel.length === 0) {
      say(`${root} is already set up for Task Master (.taskmaster exists, nothing to create).`);
      return;
    }
    say(`Initialised Task Master in ${root}`);
    for (const p of rel) say(`  ${color.green('created')} ${p}`);
    say(`\nNext: ${color.bold('taskmaster sync server start')} to share tasks live, or ${color.bold('taskmaster add-task --title "…"')}.`);
  },
};
