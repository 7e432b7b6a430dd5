import { overriddenText, putBackUpdate, type OverriddenNotice } from '@taskmaster/protocol';
import type { Store } from '@taskmaster/store';
import { CliError, CliErrorCode } from './cli-error.js';
import { str, type ParsedArgs } from './command.js';
import { ExitCode } from './exit-codes.js';
import { color, say } from './output.js';
import type { TaskBackend } from './task-backend.js';

/**
 * The changes another program wrote over (`sync.conflict` notices) as the
 * CLI's commands find, show and settle them: `put-back` (ours back),
 * `dismiss` (theirs stays), `sync server status` and `watch`.
 */

/** The command line that puts back what a `sync.conflict` says was written over; undefined when no update can (see putBackUpdate). */
export function putBackCommand(c: OverriddenNotice): string | undefined {
  return putBackUpdate(c) ? `taskmaster put-back --id ${c.id} --tag ${c.tag}` : undefined;
}

/** The command line that keeps the other program's value and drops the notice. */
export function dismissCommand(c: OverriddenNotice): string {
  return `taskmaster dismiss --id ${c.id} --tag ${c.tag}`;
}

/**
 * The notice standing for task `id` in the tag `--tag` names (default: the
 * current one), as the running server lists it or, with none, as the last
 * one kept it ({@link keptOverridden}). None: a usage error saying where
 * else that task has one, or where to look.
 */
export async function standingNotice(args: ParsedArgs, backend: TaskBackend, store: Store, id: string): Promise<OverriddenNotice> {
  const tag = str(args, 'tag') ?? (await backend.call('tags.list', {})).current;
  const overridden = backend.route === 'server' ? ((await backend.call('sync.status', undefined)).overridden ?? []) : await keptOverridden(store);
  const notice = overridden.find((c) => c.tag === tag && c.id === id);
  if (notice) return notice;
  const elsewhere = overridden.filter((c) => c.id === id).map((c) => c.tag);
  throw new CliError(
    CliErrorCode.InvalidParams,
    `nothing of task ${id} in tag ${tag} stands written over by another program (put back, dismissed or changed since, or never)`,
    elsewhere.length > 0 ? `it was in tag ${elsewhere.join(', ')}: pass --tag` : "'taskmaster sync server status' lists what stands written over",
    { exitCode: ExitCode.UserError },
  );
}

/**
 * What the last server kept of changes written over, still standing in the
 * file as it is now (Task Master or an editor may have changed those fields
 * since): for when no server runs.
 */
export async function keptOverridden(store: Store): Promise<OverriddenNotice[]> {
  return store.overridden.standing(async () => (await store.read()).data);
}

/** Prints `overridden` under `heading`, each with the commands that settle it (`sync server status`). */
export function sayOverridden(overridden: readonly OverriddenNotice[], heading: string): void {
  say(color.bold(`${heading} (${overridden.length})`));
  for (const c of overridden) {
    say(`  ${c.tag} ${c.id}: ${color.yellow(overriddenText(c))}`);
    const putBack = putBackCommand(c);
    if (putBack) say(color.dim(`    put it back: ${putBack}`));
    say(color.dim(`    keep what it wrote: ${dismissCommand(c)}`));
  }
}
