import fs from 'node:fs/promises';
import { DEFAULT_TAG } from '@taskmaster/protocol';

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
