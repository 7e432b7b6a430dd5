import { SPARC_SUMMARY, sparcModeFor, type SparcMappings } from '@taskmaster/protocol';
import { flag, required, splitList, str, TASK_OPTIONS, TM_CORE_OPTIONS, type Command } from '../command.js';
import { CliError, CliErrorCode } from '../cli-error.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import { paintStatus } from '../status-color.js';
import { readSparcMappings } from '../sparc-file.js';
import type { CallResult } from '../task-backend.js';
import { checkIds } from '../task-input.js';

type Found = CallResult<'task.get'>;
type Shown = { id: string; task: Found['task']; sparc: ReturnType<typeof sparcModeFor> | null };

const USAGE = 'show <id>[,<id>] | -i|--id <id>[,<id>] [-s|--status <s>] [--tag <tag>] [--json]';

/** `taskmaster show <id>[,<id>]`: tasks or subtasks, each with the SPARC mode it maps to. */
export const command: Command = {
  spec: {
    name: 'show',
    summary: 'show tasks or subtasks and their SPARC mode',
    usage: USAGE,
    options: {
      id: { type: 'string', short: 'i', value: '<ids>', description: 'task ids, comma-separated; 5.2 for a subtask (or give them as the argument)' },
      status: { type: 'string', short: 's', value: '<s[,s]>', description: 'only print subtasks with one of these statuses' },
      ...TASK_OPTIONS,
      ...TM_CORE_OPTIONS,
    },
    maxPositionals: 1,
    examples: ['taskmaster show 5', 'taskmaster show 4,5 --status pending', 'taskmaster show --id=5.2', 'taskmaster show 12 --json'],
    notes:
      'JSON output: {"tag", "id", "task", "sparc": {"mode", "matchedBy"} | null} for one id;\n' +
      '{"tag", "tasks": [{"id", "task", "sparc"}, …], "notFound": [ids]} for several. Several ids: the ones found\n' +
      'are shown, the others named on stderr, and the exit code is 1 if any was not found.',
  },
  async run(args) {
    // The positional wins over --id, as in Task Master.
    const ids = checkIds(splitList(args.positionals[0] ?? required(args, command.spec, 'id', 0)), USAGE);
    const subtaskStatuses = splitList(str(args, 'status'));
    if (ids.length === 1) {
      const { tag, shown } = await withBackend(args, { mutates: false }, async (backend, store) => {
        const found = await backend.call('task.get', { id: ids[0]!, tag: str(args, 'tag') });
        return { tag: found.tag, shown: withSparc(found, readSparcMappings(store.paths.sparcFile)) };
      });
      if (flag(args, 'json')) return printJson({ tag, ...shown });
      printTask(tag, shown, subtaskStatuses);
      return;
    }
    const { tag, shown, notFound } = await withBackend(args, { mutates: false }, async (backend, store) => {
      const mappings = readSparcMappings(store.paths.sparcFile);
      const shown: Shown[] = [];
      const notFound: string[] = [];
      let tag = str(args, 'tag');
      for (const id of ids) {
        try {
          const found = await backend.call('task.get', { id, tag });
          tag = found.tag;
          shown.push(withSparc(found, mappings));
        } catch (err) {
          // A missing task does not hide the others (Task Master shows those it finds); anything else stops here.
          if ((err as { code?: unknown }).code !== 1008 || /^tag /.test((err as Error).message)) throw err;
          notFound.push(id);
        }
      }
      return { tag: tag ?? '', shown, notFound };
    });
    if (flag(args, 'json')) printJson({ tag, tasks: shown, notFound });
    else
      shown.forEach((s, i) => {
        if (i > 0) say(color.dim('─'.repeat(40)));
        printTask(tag, s, subtaskStatuses);
      });
    if (notFound.length > 0) {
      throw new CliError(CliErrorCode.InvalidParams, `not found in tag "${tag}": ${notFound.join(', ')}`, "run 'taskmaster list' to see the ids");
    }
  },
};

function withSparc(found: Found, mappings: SparcMappings): Shown {
  return { id: found.id, task: found.task, sparc: sparcModeFor(found.task, mappings) ?? null };
}

function printTask(tag: string, { id, task, sparc }: Shown, subtaskStatuses: string[]): void {
  say(color.bold(`Task ${id}: ${task.title}`) + color.dim(`  (tag ${tag})`));
  say(`Status:       ${paintStatus(task.status)}`);
  if (task.priority) say(`Priority:     ${task.priority}`);
  if (task.dependencies?.length) say(`Dependencies: ${task.dependencies.join(', ')}`);
  // What SPARC is, on the same line: most readers meet the word here first.
  say(`SPARC mode:   ${sparc ? `${color.cyan(sparc.mode)} ${color.dim(`(${sparc.matchedBy})`)}` : color.dim('none (no mapping matches)')}  ${color.dim(`— ${SPARC_SUMMARY}`)}`);
  if (task.description) say(`\n${task.description}`);
  if (task.details) say(`\n${color.bold('Details')}\n${task.details}`);
  if (task.testStrategy) say(`\n${color.bold('Test strategy')}\n${task.testStrategy}`);
  const all = (task as { subtasks?: Array<{ id: unknown; title: string; status?: string }> }).subtasks ?? [];
  const subtasks = subtaskStatuses.length === 0 ? all : all.filter((s) => subtaskStatuses.includes(s.status ?? 'pending'));
  if (subtasks.length > 0) {
    say(`\n${color.bold('Subtasks')}${subtasks.length < all.length ? color.dim(` (${subtasks.length} of ${all.length}: ${subtaskStatuses.join(', ')})`) : ''}`);
    for (const s of subtasks) say(`  ${id}.${String(s.id)}  ${paintStatus(s.status)}  ${s.title}`);
  } else if (all.length > 0) {
    say(color.dim(`\nNo subtasks with status ${subtaskStatuses.join(', ')} (of ${all.length}).`));
  }
}
