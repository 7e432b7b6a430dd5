import { SPARC_SUMMARY, sparcModeFor } from '@taskmaster/protocol';
import { flag, required, str, TASK_OPTIONS, type Command } from '../command.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import { paintStatus } from '../status-color.js';
import { readSparcMappings } from '../sparc-file.js';

/** `taskmaster show <id>`: one task or subtask, with the SPARC mode it maps to. */
export const command: Command = {
  spec: {
    name: 'show',
    summary: 'show one task or subtask and its SPARC mode',
    usage: 'show <id> | --id <id> [--tag <tag>] [--json]',
    options: { id: { type: 'string', value: '<id>', description: 'task id, or 5.2 for a subtask' }, ...TASK_OPTIONS },
    maxPositionals: 1,
    examples: ['taskmaster show 5', 'taskmaster show --id=5.2', 'taskmaster show 12 --json'],
    notes: 'JSON output: {"tag", "id", "task", "sparc": {"mode", "matchedBy"} | null}.',
  },
  async run(args) {
    const id = required(args, command.spec, 'id', 0);
    const { found, sparc } = await withBackend(args, { mutates: false }, async (backend, store) => {
      const found = await backend.call('task.get', { id, tag: str(args, 'tag') });
      return { found, sparc: sparcModeFor(found.task, readSparcMappings(store.paths.sparcFile)) ?? null };
    });
    if (flag(args, 'json')) {
      printJson({ tag: found.tag, id: found.id, task: found.task, sparc });
      return;
    }
    const task = found.task;
    say(color.bold(`Task ${found.id}: ${task.title}`) + color.dim(`  (tag ${found.tag})`));
    say(`Status:       ${paintStatus(task.status)}`);
    if (task.priority) say(`Priority:     ${task.priority}`);
    if (task.dependencies?.length) say(`Dependencies: ${task.dependencies.join(', ')}`);
    // What SPARC is, on the same line: most readers meet the word here first.
    say(`SPARC mode:   ${sparc ? `${color.cyan(sparc.mode)} ${color.dim(`(${sparc.matchedBy})`)}` : color.dim('none (no mapping matches)')}  ${color.dim(`— ${SPARC_SUMMARY}`)}`);
    if (task.description) say(`\n${task.description}`);
    if (task.details) say(`\n${color.bold('Details')}\n${task.details}`);
    if (task.testStrategy) say(`\n${color.bold('Test strategy')}\n${task.testStrategy}`);
    const subtasks = (task as { subtasks?: Array<{ id: unknown; title: string; status?: string }> }).subtasks ?? [];
    if (subtasks.length > 0) {
      say(`\n${color.bold('Subtasks')}`);
      for (const s of subtasks) say(`  ${found.id}.${String(s.id)}  ${paintStatus(s.status)}  ${s.title}`);
    }
  },
};
