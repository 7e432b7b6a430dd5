import { AUTO_SYNC_OPTIONS, flag, str, TASK_OPTIONS, type Command } from '../command.js';
import { describeProblem } from '../dependency-problem.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';

/** `taskmaster fix-dependencies`: remove the dependencies that validate-dependencies reports. */
export const command: Command = {
  spec: {
    name: 'fix-dependencies',
    summary: 'remove dependencies that cannot hold',
    usage: 'fix-dependencies [--tag <tag>] [--json]',
    options: { ...TASK_OPTIONS, ...AUTO_SYNC_OPTIONS },
    examples: ['taskmaster fix-dependencies', 'taskmaster fix-dependencies --tag feature-x'],
    notes: 'JSON output: {"tag", "fixed": [{"id", "dependsOn", "problem"}]}.',
  },
  async run(args) {
    const result = await withBackend(args, { mutates: true }, (backend) => backend.call('dependencies.fix', { tag: str(args, 'tag') }));
    if (flag(args, 'json')) return printJson(result);
    if (result.fixed.length === 0) {
      say(`${color.green('✓')} Nothing to fix: all dependencies are valid ${color.dim(`(tag ${result.tag})`)}`);
      return;
    }
    const n = result.fixed.length;
    say(`${color.green('Fixed')} ${n} dependenc${n === 1 ? 'y' : 'ies'} ${color.dim(`(tag ${result.tag})`)}:`);
    for (const p of result.fixed) say(`  removed: ${describeProblem(p)}`);
  },
};
