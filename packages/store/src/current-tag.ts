import fs from 'node:fs/promises';
import { DEFAULT_TAG } from '@taskmaster/protocol';
import { replaceFileNoFollow } from './safe-fs.js';

/**
 * The tag Task Master is on, from its `state.json` (`{"currentTag": "..."}`).
 * A missing or unreadable state file means Task Master's default, `master`.
 */
export async function readCurrentTag(stateFile: string): Promise<string> {
  try {
    const state = JSON.parse(await fs.readFile(stateFile, 'utf8')) as { currentTag?: unknown };
    return typeof state.currentTag === 'string' && state.currentTag.length > 0 ? state.currentTag : DEFAULT_TAG;
  } catch {
    return DEFAULT_TAG;
  }
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
