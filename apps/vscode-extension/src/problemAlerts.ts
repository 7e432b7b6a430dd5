import type { ServerProblems } from '@taskmaster/client';
import { brokenTagNoticeFor, overriddenText, putBackUpdate, type OverriddenNotice } from '@taskmaster/protocol';

/**
 * The pop-up warnings a change of what cannot be read calls for: one for
 * each problem in `after` that was not in `before` (a problem that stays, or
 * ends, raises none; the tree's message says what is wrong meanwhile).
 */
export function problemAlerts(before: ServerProblems, after: ServerProblems): string[] {
  const alerts: string[] = [];
  const file = after.file;
  if (file && (file.kind !== before.file?.kind || file.message !== before.file.message)) {
    alerts.push(
      file.kind === 'missing'
        ? 'TaskMaster: tasks.json is missing; the last good version is shown and changes are refused until it is back (restore it from git, or with "taskmaster history restore").'
        : `TaskMaster: the tasks file is invalid (${file.message}); the last good version is shown. Fix the file and save.`,
    );
  }
  // One broken tag: its notice says what still works (the other tags) and how to mend it.
  for (const [tag, problem] of Object.entries(after.tags)) if (before.tags[tag] !== problem) alerts.push(`TaskMaster: ${brokenTagNoticeFor(tag, problem)}`);
  return alerts;
}

/**
 * Calls `show` with the alerts of each change of `problems()`, told by
 * `onChange`. The first state it sees is the baseline (what was already
 * wrong when the window opened is in the tree, not a pop-up), and changes
 * are looked at once the current burst of events has been handled: a resync
 * that pulls a problem and the version that ended it raises nothing.
 */
export function alertOnNewProblems(
  problems: () => ServerProblems,
  onChange: (listener: () => void) => { dispose(): void },
  show: (alert: string) => void,
): { dispose(): void } {
  let shown: ServerProblems | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const subscription = onChange(() => {
    timer ??= setTimeout(() => {
      timer = undefined;
      const now = problems();
      if (shown) for (const alert of problemAlerts(shown, now)) show(alert);
      shown = now;
    }, 0);
  });
  return {
    dispose() {
      clearTimeout(timer);
      subscription.dispose();
    },
  };
}

/**
 * What another program wrote over, as one sentence: one change in the
 * board's words (`overriddenText`), several by task, each task once.
 */
function overwrittenSentence(overwritten: ReadonlyArray<OverriddenNotice>): string {
  if (overwritten.length === 1) return overriddenText(overwritten[0]!);
  const ids = [...new Set(overwritten.map((c) => c.id))];
  const named = ids.length > 1 ? `s ${ids.slice(0, -1).join(', ')} and ${ids.at(-1)}` : ` ${ids[0]}`;
  return `Another program wrote over changes made here to task${named}; its values were kept.`;
}

/**
 * The pop-up for the `sync.conflict`s of one burst of events (a resync after
 * a disconnect may pull many at once): one pop-up, not one each.
 */
export function conflictAlert(conflicts: ReadonlyArray<OverriddenNotice>): string {
  return `TaskMaster: ${overwrittenSentence(conflicts)}`;
}

/**
 * The tree's message for what another program wrote over in the tag on view
 * and still stands (the pop-up told of it only if the window was open then),
 * with the commands that put one back or keep what the other program wrote.
 */
export function overwrittenNotice(overwritten: ReadonlyArray<OverriddenNotice>): string | undefined {
  if (overwritten.length === 0) return undefined;
  const dismiss = '"TaskMaster: Dismiss Overwritten Change" to keep what it wrote';
  const how = overwritten.some((c) => putBackUpdate(c) !== undefined)
    ? ` Run "TaskMaster: Put Back Overwritten Change" to put ${overwritten.length === 1 ? 'it' : 'one'} back, or ${dismiss}.`
    : ` Run ${dismiss}.`;
  return `${overwrittenSentence(overwritten)}${how}`;
}
