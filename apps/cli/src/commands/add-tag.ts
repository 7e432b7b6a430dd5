import { AUTO_SYNC_OPTIONS, flag, str, type Command } from '../command.js';
import { usageError } from '../cli-error.js';
import { currentGitBranch, tagNameForBranch } from '../git-branch.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';

const USAGE = 'add-tag <name> | --from-branch [--copy-from-current | --copy-from <tag>] [-d|--description <text>] [--json]';

/** `taskmaster add-tag` (also `tags add`): a new tag, empty or starting with the tasks of another. */
export const command: Command = {
  spec: {
    name: 'add-tag',
    summary: 'create a tag, empty or as a copy',
    usage: USAGE,
    options: {
      'copy-from-current': { type: 'boolean', description: 'start with the tasks of the current tag' },
      'copy-from': { type: 'string', value: '<tag>', description: 'start with the tasks of this tag' },
      'from-branch': { type: 'boolean', description: 'name it after the git branch checked out (feature/login → feature-login)' },
      description: { type: 'string', short: 'd', value: '<text>', description: 'what the tag is for' },
      json: { type: 'boolean', description: 'print JSON' },
      ...AUTO_SYNC_OPTIONS,
    },
    maxPositionals: 1,
    examples: ['taskmaster add-tag feature-x -d "Login and sign-up"', 'taskmaster add-tag sprint-2 --copy-from-current', 'taskmaster add-tag --from-branch'],
    notes: 'The current tag stays the same; switch with use-tag. JSON output: {"tag": {"name", "taskCount", "completedCount", "description"?}}.',
  },
  async run(args) {
    const fromBranch = flag(args, 'from-branch');
    const given = args.positionals[0];
    if (fromBranch && given !== undefined) throw usageError('give a name or --from-branch, not both', `taskmaster ${USAGE}`);
    if (!fromBranch && (given === undefined || given === '')) throw usageError('missing <name> (or --from-branch)', `taskmaster ${USAGE}`);
    if (flag(args, 'copy-from-current') && str(args, 'copy-from') !== undefined) {
      throw usageError('give --copy-from-current or --copy-from, not both', `taskmaster ${USAGE}`);
    }
    const result = await withBackend(args, { mutates: true }, async (backend, _store, root) => {
      let name = given!;
      let description = str(args, 'description');
      if (fromBranch) {
        const branch = currentGitBranch(root);
        name = tagNameForBranch(branch);
        description ??= `Tag created from git branch "${branch}"`;
      }
      const copyFrom = flag(args, 'copy-from-current') ? (await backend.call('tags.list', {})).current : str(args, 'copy-from');
      return backend.call('tag.add', { name, ...(copyFrom !== undefined ? { copyFrom } : {}), ...(description !== undefined ? { description } : {}) });
    });
    if (flag(args, 'json')) return printJson({ tag: result.tag });
    const tasks = result.tag.taskCount;
    say(`${color.green('Created')} tag ${result.tag.name}${tasks > 0 ? ` with ${tasks} task${tasks === 1 ? '' : 's'}` : ''}`);
    say(color.dim(`Switch to it with 'taskmaster use-tag ${result.tag.name}'.`));
  },
};
