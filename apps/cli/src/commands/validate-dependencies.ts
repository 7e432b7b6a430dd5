import { flag, str, TASK_OPTIONS, type Command } from '../command.js';
import { describeProblem } from '../dependency-problem.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';

/** `taskmaster validate-dependencies`: list dependencies that cannot hold, changing nothing. */
export const command: Command = {
  spec: {
    name: 'validate-dependencies',
    summary: 'report dependencies that cannot hold',
    usage: 'validate-dependencies [--tag <tag>] [--json]',
    options: { ...TASK_OPTIONS },
    examples: ['taskmaster validate-dependencies', 'taskmaster validate-dependencies --tag feature-x --json'],
    notes:
      'Reports dependencies on tasks that do not exist, on the task itself, and cycles. Exit 0 either way, as in\n' +
      "Task Master; 'taskmaster fix-dependencies' removes them. JSON output: {\"tag\", \"problems\": [{\"id\", \"dependsOn\", \"problem\"}]}.",
  },
  async run(args) {
    const result = await withBackend(args, { mutates: false }, (backend) => backend.call('dependencies.validate', { tag: str(args, 'tag') }));
    if (flag(args, 'json')) return printJson({ tag: result.tag, problems: result.problems });
    if (result.problems.length === 0) {
      say(`${color.green('✓')} All dependencies are valid ${color.dim(`(tag ${result.tag})`)}`);
      return;
    }
    const n = result.problems.length;
    say(color.yellow(`${n} dependenc${n === 1 ? 'y cannot' : 'ies cannot'} hold in tag '${result.tag}':`));
    for (const p of result.problems) say(`  ${describeProblem(p)}`);
    say(`\nRemove ${n === 1 ? 'it' : 'them'} with 'taskmaster fix-dependencies${str(args, 'tag') ? ` --tag ${result.tag}` : ''}'.`);
  },
};
