import { note } from './output.js';

/** The broken tags of the file a command works on, each with the notice users get, and Task Master's current tag. */
export interface BrokenTags {
  broken: ReadonlyArray<{ tag: string; notice: string }>;
  currentTag: () => Promise<string>;
  /** A server that cannot read the file at all answers from the last version it read: this says so. */
  fileNotice?: string;
}

/**
 * Once per command, one warning line on stderr for each broken tag (one of
 * its tasks invalid) other than the one the command works on, the same with
 * a server as without, so that a tag another tool broke does not go
 * unnoticed until someone asks for it. Through a server, also one for a file
 * it cannot read (without one, the command itself fails on such a file). A
 * command on a broken tag itself fails, naming the task and field, in the op
 * it runs (reads: runReadOp; writes: the store's validation). `read` never
 * fails a command: a failed read warns of nothing.
 */
export function brokenTagWarnings(read: () => Promise<BrokenTags>): (tag: string | undefined) => Promise<void> {
  let checked = false;
  return async (tag) => {
    if (checked) return;
    checked = true;
    try {
      const { broken, currentTag, fileNotice } = await read();
      if (fileNotice !== undefined) note(`warning: ${fileNotice}`);
      if (broken.length === 0) return;
      const name = tag ?? (await currentTag());
      for (const b of broken) if (b.tag !== name) note(`warning: ${b.notice}`);
    } catch {
      // The command's own call reports whatever is wrong.
    }
  };
}
