import type { FileProblem, MethodResult } from '@taskmaster/protocol';
import type { TaskmasterClient } from './options.js';

/** What the server cannot read now. */
export interface ServerProblems {
  /** The whole tasks file (not JSON, not a tasks file, missing): clients hold the last version the server read. */
  file: FileProblem | undefined;
  /** Broken tags (a task in them does not validate), each with what is wrong: `task 7, field title: …`. */
  tags: Readonly<Record<string, string>>;
}

/** Nothing wrong. */
export const NO_SERVER_PROBLEMS: ServerProblems = Object.freeze({ file: undefined, tags: Object.freeze({}) });

/** How long after a notice that may change them the problems are asked again: a burst asks once. */
const ASK_AGAIN_MS = 50;

/**
 * Follows what the server says it cannot read, for a client to show beside
 * the tasks it holds: asked (`sync.status`) at every connection and after
 * each `sync.snapshot` (a full pull, such as after the server restarted,
 * carries the file but not the notices before it), then kept by
 * `file.invalid`, `file.missing` and `file.changed` (a tag that broke comes
 * with its name, and one that was mended with a new version of the file:
 * both ask again). The notices are in the server's change log, so a polling
 * client, or one back from a disconnect, pulls those it missed.
 * The client must be subscribed to `file.*` (the default `*` is). Calls
 * `onChange` with each new state, and with each answer of the server;
 * returns the function that stops. `onStatus` gets each whole `sync.status`
 * answer, first at every connection: a view that also shows the connections
 * or the overridden changes takes them from there, rather than asking again.
 */
export function watchServerProblems(
  client: TaskmasterClient,
  onChange: (problems: ServerProblems) => void,
  onStatus?: (status: MethodResult<'sync.status'>) => void,
): () => void {
  let current = NO_SERVER_PROBLEMS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  // What the server answered is always told (a client may have shown something else meanwhile, such as a
  // file it read itself while disconnected); a notice that changes nothing is not.
  const set = (next: ServerProblems, answered = false) => {
    if (stopped || (!answered && sameProblems(current, next))) return;
    current = next;
    onChange(next);
  };
  const ask = async () => {
    try {
      const status = await client.call('sync.status');
      if (stopped) return;
      set({ file: status.fileProblem, tags: tagProblems(status.tags) }, true);
      onStatus?.(status);
    } catch {
      // Disconnected meanwhile: the next connection asks again.
    }
  };
  const askSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void ask(), ASK_AGAIN_MS);
  };
  const stops = [
    client.onModeChange((mode) => {
      if (mode !== 'offline') askSoon();
    }),
    client.on('file.missing', (p) => set({ ...current, file: { kind: 'missing', message: p.message } })),
    client.on('file.invalid', (p) => (p.tag === undefined ? set({ ...current, file: { kind: 'invalid', message: p.message } }) : askSoon())),
    client.on('file.changed', () => {
      if (current.file) set({ ...current, file: undefined });
      if (Object.keys(current.tags).length > 0) askSoon();
    }),
    client.on('sync.snapshot', askSoon),
  ];
  if (client.mode !== 'offline') askSoon();
  return () => {
    stopped = true;
    clearTimeout(timer);
    for (const stop of stops) stop();
  };
}

/**
 * What a client says while the server cannot read tasks.json: the server's
 * message, that `view` ("The board") shows the last version the server read,
 * and how to get the file back.
 */
export function fileProblemNotice(problem: FileProblem, view: string): string {
  const said = /[.!?]$/.test(problem.message) ? problem.message : `${problem.message}.`;
  const mend = problem.kind === 'missing' ? "restore the file from git, or with 'taskmaster history restore <id>'" : "fix the file and save it, or restore a snapshot with 'taskmaster history restore <id>'";
  return `${said} ${view} shows the last version the server read; ${mend}.`;
}

/** Each broken tag of a `tags.list` or `sync.status` with its problem. */
export function tagProblems(tags: MethodResult<'tags.list'>['tags']): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const t of tags) if (t.problem !== undefined) problems[t.name] = t.problem;
  return problems;
}

function sameProblems(a: ServerProblems, b: ServerProblems): boolean {
  if (a.file?.kind !== b.file?.kind || a.file?.message !== b.file?.message) return false;
  const names = Object.keys(a.tags);
  return names.length === Object.keys(b.tags).length && names.every((n) => a.tags[n] === b.tags[n]);
}
