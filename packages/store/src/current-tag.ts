import { statSync, type BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import { DEFAULT_TAG } from '@taskmaster/protocol';
import { identityOf, sameIdentity, type FileIdentity } from './file-identity.js';
import { replaceFileNoFollow } from './safe-fs.js';

/**
 * The tag Task Master is on, from its `state.json` (`{"currentTag": "..."}`).
 * A missing or unreadable state file means Task Master's default, `master`.
 */
async function readCurrentTag(stateFile: string): Promise<string> {
  try {
    const state = JSON.parse(await fs.readFile(stateFile, 'utf8')) as { currentTag?: unknown };
    return typeof state.currentTag === 'string' && state.currentTag.length > 0 ? state.currentTag : DEFAULT_TAG;
  } catch {
    return DEFAULT_TAG;
  }
}

/**
 * How soon after its last change a state.json is read again rather than
 * trusted by its identity: the step of a coarse file system clock (see
 * file-identity.ts). Task Master's `use-tag` rewrites the file in place, and
 * two switches between tags of one length leave it at the same size.
 */
const RACY_STEP_NS = 25_000_000n;

/**
 * Task Master's current tag, read from state.json again only when the file
 * changed: a stat (a few microseconds, synchronous) compares it with the
 * identity it had when read. A `use-tag` by Task Master is followed from the
 * next request on (kept for a second before, a task created right after it
 * went to the old tag), and a request after a pause reads nothing. A request
 * that comes while a read runs gets that read's answer, so one connection's
 * requests keep their order.
 */
export class CurrentTagReader {
  private known: { tag: string; identity: FileIdentity | undefined } | undefined;
  private reading: Promise<string> | undefined;

  constructor(private readonly stateFile: string) {}

  /** The current tag (see {@link readCurrentTag}). */
  current(): Promise<string> {
    if (this.reading) return this.reading;
    const seen = statOrUndefined(this.stateFile);
    if (this.known && unchanged(this.known.identity, seen)) return Promise.resolve(this.known.tag);
    // One promise for every caller meanwhile, settled in the order they asked.
    this.reading = readCurrentTag(this.stateFile).then(
      (tag) => {
        // The identity from before the read: a change made during it shows at the next request.
        this.known = { tag, identity: seen && identityOf(seen, RACY_STEP_NS) };
        this.reading = undefined;
        return tag;
      },
      (err: unknown) => {
        this.reading = undefined;
        throw err;
      },
    );
    return this.reading;
  }
}

function statOrUndefined(file: string): BigIntStats | undefined {
  try {
    return statSync(file, { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** Whether a state file last read with `identity` (undefined: it was missing) still holds what was read. */
function unchanged(identity: FileIdentity | undefined, seen: BigIntStats | undefined): boolean {
  if (!identity || !seen) return !identity && !seen;
  return !identity.racy && sameIdentity(identity, seen);
}

/**
 * Makes `tag` Task Master's current tag, as its `use-tag` does: `currentTag`
 * and `lastSwitched` in state.json, every other field kept. Written through a
 * temp file and rename, never through a symbolic link. Returns the tag it was on.
 */
export async function writeCurrentTag(stateFile: string, tag: string, now: string): Promise<string> {
  let state: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(stateFile, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) state = parsed as Record<string, unknown>;
  } catch {
    // Missing or unreadable: Task Master starts a new one the same way.
  }
  const previous = typeof state.currentTag === 'string' && state.currentTag.length > 0 ? state.currentTag : DEFAULT_TAG;
  await replaceFileNoFollow(stateFile, `${JSON.stringify({ ...state, currentTag: tag, lastSwitched: now }, null, 2)}\n`);
  return previous;
}
