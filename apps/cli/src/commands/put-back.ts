import { overriddenText, putBackUpdate, withOverridden, type EventPayload, type OverriddenNotice } from '@taskmaster/protocol';
import type { Store } from '@taskmaster/store';
import { CliError, CliErrorCode } from '../cli-error.js';
import { flag, required, str, TASK_OPTIONS, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';
import type { TaskBackend } from '../task-backend.js';
import { checkIds } from '../task-input.js';

/** `taskmaster put-back`: writes back a change another program wrote over, as the sync server remembers it. */
export const command: Command = {
  spec: {
    name: 'put-back',
    summary: 'put back a change another program wrote over',
    usage: 'put-back --id <id> [--tag <tag>] [--json]',
    options: {
      id: { type: 'string', value: '<id>', description: 'the task (5) or subtask (5.2) whose change was written over (required)' },
      ...TASK_OPTIONS,
    },
    examples: ['taskmaster put-back --id=3', 'taskmaster put-back --id 5.2 --tag feature'],
    notes:
      "Task Master writes back a tag it read before taking its lock, over fields changed meanwhile. The sync\nserver keeps its values and remembers what they replaced while they stand: 'taskmaster sync server\nstatus' lists them. This sets those fields back, through the server, or with none running in the file\nitself, from what the last server kept (.taskmaster/tasks/history/overridden.json).",
  },
  async run(args) {
    const [id] = checkIds([required(args, command.spec, 'id')], command.spec.usage);
    await withBackend(args, { mutates: true }, async (backend, store) => {
      const tag = str(args, 'tag') ?? (await backend.call('tags.list', {})).current;
      const overridden = await standingOverridden(backend, store);
      const change = overridden.find((c) => c.tag === tag && c.id === id);
      if (!change) {
        const elsewhere = overridden.filter((c) => c.id === id).map((c) => c.tag);
        throw new CliError(
          CliErrorCode.InvalidParams,
          `nothing of task ${id} in tag ${tag} stands written over by another program (put back or changed since, or never)`,
          elsewhere.length > 0 ? `it was in tag ${elsewhere.join(', ')}: pass --tag` : "'taskmaster sync server status' lists what stands written over",
          { exitCode: ExitCode.UserError },
        );
      }
      const update = putBackUpdate(change);
      if (!update) {
        // A delete, or a field removed here: only the version before, from history, has it.
        const fix = change.snapshot !== undefined ? `taskmaster history restore ${change.snapshot}` : "'taskmaster history list' shows the versions to restore";
        throw new CliError(CliErrorCode.InvalidParams, `${overriddenText(change)} No single update puts that back.`, fix, { exitCode: ExitCode.UserError });
      }
      // The values as they were here, over whatever the other program wrote: no base to merge against.
      const result = await backend.call('task.update', { ...update, strategy: 'last-write-wins' });
      if (flag(args, 'json')) return printJson(result);
      say(`${color.green('Put back')} task ${result.id}: ${change.fields.join(', ')} ${color.dim(`(tag ${result.tag})`)}`);
    });
  },
};

/** The command line that puts back what a `sync.conflict` says was written over; undefined when no update can (see putBackUpdate). */
export function putBackCommand(c: EventPayload<'sync.conflict'>): string | undefined {
  return putBackUpdate(c) ? `taskmaster put-back --id ${c.id} --tag ${c.tag}` : undefined;
}

/**
 * What stands written over: as the running server lists it, or with none, as
 * the last one kept it ({@link keptOverridden}).
 */
async function standingOverridden(backend: TaskBackend, store: Store): Promise<OverriddenNotice[]> {
  if (backend.route === 'server') return (await backend.call('sync.status', undefined)).overridden ?? [];
  return keptOverridden(store);
}

/**
 * What the last server kept of changes written over, still standing in the
 * file as it is now (Task Master or an editor may have changed those fields
 * since): for when no server runs.
 */
export async function keptOverridden(store: Store): Promise<OverriddenNotice[]> {
  const kept = await store.overridden.read();
  return kept.length === 0 ? [] : withOverridden([], kept, (await store.read()).data);
}

/** Prints `overridden` under `heading`, each with the command that puts it back (`sync server status`). */
export function sayOverridden(overridden: readonly OverriddenNotice[], heading: string): void {
  say(color.bold(`${heading} (${overridden.length})`));
  for (const c of overridden) {
    say(`  ${c.tag} ${c.id}: ${color.yellow(overriddenText(c))}`);
    const putBack = putBackCommand(c);
    if (putBack) say(color.dim(`    put it back: ${putBack}`));
  }
}
