import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * SPARC mode lookup for tooltips and task documents. Pure apart from
 * {@link readSparcMappings}.
 *
 * Duplicates the lookup rule of the CLI's `apps/cli/src/sparc.ts`
 * (`sparcModeFor`): an extension cannot import an app, and the rule has no
 * home in a shared package yet. Keep the two in step.
 */

/** `.taskmaster/sparc/mappings.json`; unknown keys are ignored. */
export interface SparcMappings {
  byType?: Record<string, string>;
  byKeyword?: Record<string, string>;
  default?: string;
}

/** Where the mappings live, relative to the project root. */
export const SPARC_FILE = path.join('.taskmaster', 'sparc', 'mappings.json');

interface TaskLike {
  title?: unknown;
  description?: unknown;
  type?: unknown;
  category?: unknown;
}

/**
 * The SPARC mode of a task: its `type`, then `category`, looked up in
 * `byType`; else the first `byKeyword` keyword found as a word in the title or
 * description (case-insensitive); else `default`.
 */
export function sparcModeFor(task: TaskLike, mappings: SparcMappings): string | undefined {
  const byType = mappings.byType ?? {};
  for (const field of [task.type, task.category]) {
    if (typeof field !== 'string') continue;
    const key = Object.keys(byType).find((k) => k.toLowerCase() === field.toLowerCase());
    if (key !== undefined) return byType[key];
  }
  const text = [task.title, task.description].filter((s) => typeof s === 'string').join(' ').toLowerCase();
  for (const [keyword, mode] of Object.entries(mappings.byKeyword ?? {})) {
    if (containsWord(text, keyword.toLowerCase())) return mode;
  }
  return typeof mappings.default === 'string' ? mappings.default : undefined;
}

function containsWord(text: string, word: string): boolean {
  if (!word) return false;
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z0-9])${escaped}($|[^a-z0-9])`).test(text);
}

/** Reads the project's mappings; none (or an unreadable file) is no mappings. */
export async function readSparcMappings(root: string): Promise<SparcMappings> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path.join(root, SPARC_FILE), 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as SparcMappings) : {};
  } catch {
    return {};
  }
}
