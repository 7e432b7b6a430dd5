import { watchFileViaDirectory } from '@taskmaster/watcher';

/** How long events on state.json are gathered before it is read: a write comes as several. */
const SETTLE_MS = 20;

/** A running watch of Task Master's current tag. */
export interface CurrentTagWatch {
  /** Resolves once the watch is in place (a switch from then on is seen). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Calls `onSwitch` whenever Task Master's current tag (`state.json`) becomes
 * another tag, whoever wrote it: this server's `tag.use` and renames, or
 * another program (`task-master use-tag`). One path for every writer, so a
 * client hears of a switch once. `read` is the store's reader of the current
 * tag, which a missing or unreadable file makes `master`.
 */
export function watchCurrentTag(
  stateFile: string,
  initial: string,
  read: () => Promise<string>,
  onSwitch: (current: string, previous: string) => void,
  onError: (err: unknown) => void,
): CurrentTagWatch {
  let told = initial;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const check = () => {
    timer = undefined;
    read().then(
      (current) => {
        if (closed || current === told) return;
        const previous = told;
        told = current;
        onSwitch(current, previous);
      },
      onError,
    );
  };
  const events = watchFileViaDirectory(
    stateFile,
    () => {
      if (!closed) timer ??= setTimeout(check, SETTLE_MS);
    },
    onError,
  );
  return {
    ready: events.ready,
    async close() {
      closed = true;
      clearTimeout(timer);
      await events.close();
    },
  };
}
