import { flag, nonEmpty, splitList, str, TASK_OPTIONS_T, TM_CORE_OPTIONS, type Command } from '../command.js';
import { usageError } from '../cli-error.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import { paintStatus, statusIcon } from '../status-color.js';
import type { TaskBackend } from '../task-backend.js';
import { isDoneStatus, type Task } from '@taskmaster/protocol';

/** The tasks of one tag as listed. */
interface TagList {
  tag: string;
  tasks: Task[];
}

const USAGE =
  'list [<status>|all] [-s|--status <s>[,<s>]] [-t|--tag <tag> | --all-tags] [--ready] [--blocking] [--with-subtasks] [-c|--compact] [--no-header] [--json]';

/** `taskmaster list`: the tasks of a tag (or of every tag), filtered by status, readiness or blocking. */
export const command: Command = {
  spec: {
    name: 'list',
    summary: 'list tasks',
    usage: USAGE,
    options: {
      status: { type: 'string', short: 's', value: '<s[,s]>', description: 'only tasks with one of these statuses (or give it as the first argument)' },
      'with-subtasks': { type: 'boolean', description: 'also print subtasks (JSON always includes them)' },
      ready: { type: 'boolean', description: 'only tasks whose dependencies are all done' },
      blocking: { type: 'boolean', description: 'only tasks that other tasks depend on' },
      'all-tags': { type: 'boolean', description: 'list every tag, one after the other' },
      compact: { type: 'boolean', short: 'c', description: 'one short line per task: id, status icon, title' },
      'no-header': { type: 'boolean', description: 'leave out the line naming the tag and its counts' },
      ...TASK_OPTIONS_T,
      ...TM_CORE_OPTIONS,
      format: { ...TM_CORE_OPTIONS.format!, choices: ['text', 'json', 'compact'], description: 'text, json (same as --json) or compact (same as --compact)' },
    },
    maxPositionals: 1,
    examples: [
      'taskmaster list',
      'taskmaster list pending',
      'taskmaster list --status=pending,in-progress --with-subtasks',
      'taskmaster list --ready --all-tags',
      'taskmaster list -t feature-x --json',
    ],
    notes:
      "'list all' lists every status with subtasks. JSON output: {\"tag\", \"tasks\"} with each task as stored, subtasks included;\n" +
      'with --all-tags {"tags": [{"tag", "tasks"}, …]}. To follow changes live, use \'taskmaster watch\'.',
  },
  async run(args) {
    const positional = args.positionals[0];
    // Task Master: `list all` means every status, subtasks shown; the positional wins over --status.
    const statuses = splitList(positional ?? str(args, 'status')).filter((s) => s !== 'all');
    const withSubtasks = flag(args, 'with-subtasks') || positional === 'all';
    const allTags = flag(args, 'all-tags');
    if (allTags && str(args, 'tag') !== undefined) {
      throw usageError('--all-tags and --tag cannot be combined', `taskmaster ${USAGE}`, 'drop one of them');
    }
    const filter = { status: nonEmpty(statuses), ready: flag(args, 'ready') || undefined, blocking: flag(args, 'blocking') };
    const lists = await withBackend(args, { mutates: false }, async (backend) => {
      const tags = allTags ? (await backend.call('tags.list', {})).tags.map((t) => t.name) : [str(args, 'tag')];
      const out: TagList[] = [];
      for (const tag of tags) out.push(await listTag(backend, tag, filter));
      return out;
    });
    if (flag(args, 'json')) {
      printJson(allTags ? { tags: lists } : lists[0]);
      return;
    }
    const filtered = filter.status !== undefined || filter.ready === true || filter.blocking;
    if (flag(args, 'compact')) for (const list of lists) printCompact(list, withSubtasks, allTags);
    else printTable(lists, { withSubtasks, header: !flag(args, 'no-header'), filtered, allTags });
  },
};

/** One tag's tasks through `tasks.list`; `--blocking` keeps those that some task of the whole tag depends on. */
async function listTag(
  backend: TaskBackend,
  tag: string | undefined,
  filter: { status?: string[]; ready?: boolean; blocking: boolean },
): Promise<TagList> {
  const result = await backend.call('tasks.list', { tag, status: filter.status, ready: filter.ready, withSubtasks: true });
  if (!filter.blocking) return { tag: result.tag, tasks: result.tasks };
  // Which tasks block others is read off the unfiltered tag: a done task can still be depended on.
  const all = filter.status || filter.ready ? (await backend.call('tasks.list', { tag: result.tag, withSubtasks: false })).tasks : result.tasks;
  const dependedOn = new Set(all.flatMap((t) => (t.dependencies ?? []).map(String)));
  return { tag: result.tag, tasks: result.tasks.filter((t) => dependedOn.has(String(t.id))) };
}

/** The table of tasks; with --all-tags one table for every tag with a TAG column, as Task Master prints it. */
function printTable(lists: TagList[], { withSubtasks, header, filtered, allTags }: { withSubtasks: boolean; header: boolean; filtered: boolean; allTags: boolean }): void {
  const rows = lists.flatMap(({ tag, tasks }) => tasks.map((task) => ({ tag, task })));
  const where = allTags ? 'any tag' : `tag '${lists[0]!.tag}'`;
  if (rows.length === 0) {
    say(filtered ? `No matching tasks in ${where}.` : `No tasks in ${where}.`);
    return;
  }
  const done = rows.filter((r) => isDoneStatus(r.task.status)).length;
  if (header) say(color.bold(`${allTags ? `All tags (${lists.length})` : `Tag ${lists[0]!.tag}`}: ${rows.length} task${rows.length === 1 ? '' : 's'}, ${done} done`));
  const tagWidth = allTags ? Math.max(3, ...lists.map((l) => l.tag.length)) : 0;
  const tagCell = (tag: string) => (allTags ? `${tag.padEnd(tagWidth)}  ` : '');
  const idWidth = Math.max(4, ...rows.map((r) => String(r.task.id).length + (withSubtasks ? 4 : 0)));
  say(color.dim(`${tagCell('TAG')}${'ID'.padEnd(idWidth)}  ${'STATUS'.padEnd(11)}  ${'PRIORITY'.padEnd(8)}  TITLE`));
  for (const { tag, task } of rows) {
    say(`${tagCell(tag)}${String(task.id).padEnd(idWidth)}  ${pad(paintStatus(task.status), task.status, 11)}  ${(task.priority ?? '').padEnd(8)}  ${task.title}`);
    if (!withSubtasks) continue;
    for (const sub of task.subtasks ?? []) {
      const id = `  ${task.id}.${sub.id}`;
      say(`${tagCell('')}${id.padEnd(idWidth)}  ${pad(paintStatus(sub.status), sub.status, 11)}  ${''.padEnd(8)}  ${sub.title}`);
    }
  }
}

/** Task Master's `--compact`: `5 ○ Title`, `[tag] ` in front with --all-tags. */
function printCompact({ tag, tasks }: TagList, withSubtasks: boolean, showTag: boolean): void {
  const prefix = showTag ? color.dim(`[${tag}] `) : '';
  for (const task of tasks) {
    say(`${prefix}${color.cyan(String(task.id))} ${statusIcon(task.status)} ${task.title}`);
    if (!withSubtasks) continue;
    for (const sub of task.subtasks ?? []) say(`  ${color.dim(`${task.id}.${sub.id}`)} ${statusIcon(sub.status)} ${sub.title}`);
  }
}

/** Pads a coloured string by its visible length. */
function pad(painted: string, plain: string | undefined, width: number): string {
  return painted + ' '.repeat(Math.max(0, width - (plain ?? 'pending').length));
}
