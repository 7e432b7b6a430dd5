import { AUTO_SYNC_OPTIONS, flag, required, splitList, str, TASK_OPTIONS, type Command } from '../command.js';
import { usageError } from '../cli-error.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import { checkIds, toTaskIds } from '../task-input.js';

const USAGE =
  'move --from <id>[,<id>] --to <id>[,<id>] [--tag <tag>] | move --from <id>[,<id>] [--from-tag <tag>] --to-tag <tag> [--with-dependencies|--ignore-dependencies] [--json]';

/** `taskmaster move`: tasks to new ids or places in their tag, or to another tag. */
export const command: Command = {
  spec: {
    name: 'move',
    summary: 'move tasks to new ids or to another tag',
    usage: USAGE,
    options: {
      from: { type: 'string', value: '<ids>', description: 'what to move: 5, 5.2, or several comma-separated (required)' },
      to: { type: 'string', value: '<ids>', description: 'where to, within the tag: as many ids as --from (an existing id is its place, a new id renumbers)' },
      'from-tag': { type: 'string', value: '<tag>', description: 'the tag to move from (default: --tag, else the current tag)' },
      'to-tag': { type: 'string', value: '<tag>', description: 'another tag to move the tasks to' },
      'with-dependencies': { type: 'boolean', description: 'with --to-tag: take the tasks they depend on along' },
      'ignore-dependencies': { type: 'boolean', description: 'with --to-tag: drop their dependencies on tasks left behind' },
      ...TASK_OPTIONS,
      ...AUTO_SYNC_OPTIONS,
    },
    examples: [
      'taskmaster move --from=5 --to=7',
      'taskmaster move --from=5.2 --to=7.3',
      'taskmaster move --from=5,6 --to=10,11',
      'taskmaster move --from=5 --from-tag=backlog --to-tag=in-progress --with-dependencies',
    ],
    notes: 'A move to another tag keeps the ids. JSON output: {"tag", "toTag"?, "moved": [{"from", "to"}]}.',
  },
  async run(args) {
    const from = checkIds(splitList(required(args, command.spec, 'from')), USAGE);
    const fromTag = str(args, 'from-tag') ?? str(args, 'tag');
    const toTag = str(args, 'to-tag');
    const to = splitList(str(args, 'to'));
    // Checked before opening the backend: a usage error should not start an auto-sync server.
    if (toTag === undefined) {
      checkTo(from, to);
      if (flag(args, 'with-dependencies') || flag(args, 'ignore-dependencies')) {
        throw usageError('--with-dependencies and --ignore-dependencies go with --to-tag', `taskmaster ${USAGE}`, 'add --to-tag <tag>, or drop them for a move within the tag');
      }
    }
    const result = await withBackend(args, { mutates: true }, async (backend) => {
      // Task Master moves across tags only when --to-tag names a tag other than the source one.
      const sourceTag = fromTag ?? (toTag !== undefined ? (await backend.call('tags.list', {})).current : undefined);
      if (toTag !== undefined && toTag !== sourceTag) {
        if (to.length > 0) throw usageError('--to is for moves within a tag; a move to another tag keeps the ids', `taskmaster ${USAGE}`, 'drop --to');
        return backend.call('task.move', {
          tag: sourceTag,
          from: toTaskIds(from),
          toTag,
          ...(flag(args, 'with-dependencies') ? { withDependencies: true } : {}),
          ...(flag(args, 'ignore-dependencies') ? { ignoreDependencies: true } : {}),
        });
      }
      checkTo(from, to);
      return backend.call('task.move', { tag: sourceTag, from: toTaskIds(from), to: toTaskIds(checkIds(to, USAGE)) });
    });
    if (flag(args, 'json')) return printJson(result);
    for (const m of result.moved) {
      if (result.toTag) say(`${color.green('Moved')} task ${m.from} to tag ${result.toTag}${m.to !== m.from ? ` as ${m.to}` : ''}`);
      // Task Master calls 5 → 5 "already exists"; here it is a move with nothing to do, and says so.
      else if (m.to === m.from) say(`Task ${m.from} is already ${m.to}: nothing moved`);
      else say(`${color.green('Moved')} task ${m.from} → ${m.to}`);
    }
    say(color.dim(result.toTag ? `(from tag ${result.tag} to tag ${result.toTag})` : `(tag ${result.tag})`));
  },
};

/** A move within a tag needs one --to id per --from id. */
function checkTo(from: string[], to: string[]): void {
  if (to.length === 0) throw usageError('missing --to (or --to-tag for another tag)', `taskmaster ${USAGE}`);
  if (to.length !== from.length) {
    throw usageError(`--from has ${from.length} id${from.length === 1 ? '' : 's'} but --to has ${to.length}`, `taskmaster ${USAGE}`, 'give as many ids to --to as to --from, e.g. --from=5,6 --to=10,11');
  }
}
