/**
 * SPARC mode mappings (`.taskmaster/sparc/mappings.json`): which SPARC mode a
 * task maps to, by its `type`/`category` field, by keywords in its title or
 * description, else a default. Pure functions only; files are in sparc-file.ts.
 */

/** The mappings file as the store's `initProject` writes it; unknown keys are kept. */
export interface SparcMappings {
  version?: number;
  byType?: Record<string, string>;
  byKeyword?: Record<string, string>;
  default?: string;
  [key: string]: unknown;
}

/** A task's SPARC mode and why. */
export interface SparcMatch {
  mode: string;
  /** `type:X`, `keyword:Y` or `default`. */
  matchedBy: string;
}

interface TaskLike {
  title?: unknown;
  description?: unknown;
  type?: unknown;
  category?: unknown;
}

/**
 * The SPARC mode for a task: its `type` then `category` field looked up in
 * `byType`, else the first `byKeyword` entry (file order) that starts a word
 * of the title or description (case-insensitive: `integrat` matches
 * "Integration", `test` matches "testing" but not "contest"), else `default`.
 */
export function sparcModeFor(task: TaskLike, mappings: SparcMappings): SparcMatch | undefined {
  const byType = mappings.byType ?? {};
  for (const field of [task.type, task.category]) {
    if (typeof field !== 'string') continue;
    const key = Object.keys(byType).find((k) => k.toLowerCase() === field.toLowerCase());
    if (key !== undefined) return { mode: byType[key]!, matchedBy: `type:${key}` };
  }
  const text = [task.title, task.description].filter((s) => typeof s === 'string').join(' ').toLowerCase();
  for (const [keyword, mode] of Object.entries(mappings.byKeyword ?? {})) {
    if (startsAWord(text, keyword.toLowerCase())) return { mode, matchedBy: `keyword:${keyword}` };
  }
  return typeof mappings.default === 'string' ? { mode: mappings.default, matchedBy: 'default' } : undefined;
}

function startsAWord(text: string, prefix: string): boolean {
  if (!prefix) return false;
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z0-9])${escaped}`).test(text);
}

const MODE = /^[a-z][a-z0-9-]*$/;

/** A key as typed on the command line: `type:bug`, `default`, or a keyword. */
export type SparcKey = { kind: 'type'; name: string } | { kind: 'keyword'; name: string } | { kind: 'default' };

/** Parses a key; throws a message for an empty one. */
export function parseSparcKey(raw: string): SparcKey {
  const key = raw.trim();
  if (key === 'default') return { kind: 'default' };
  if (key.toLowerCase().startsWith('type:')) {
    const name = key.slice(5).trim();
    if (!name) throw new Error(`'${raw}' names no type; use type:<name>, e.g. type:bug`);
    return { kind: 'type', name };
  }
  if (!key) throw new Error('the keyword is empty');
  return { kind: 'keyword', name: key.toLowerCase() };
}

/** A copy of `mappings` with `key` mapped to `mode`; throws a message for an invalid mode. */
export function withMapping(mappings: SparcMappings, key: SparcKey, mode: string): SparcMappings {
  if (!MODE.test(mode)) throw new Error(`'${mode}' is not a SPARC mode name (lowercase letters, digits and dashes, e.g. tdd)`);
  if (key.kind === 'default') return { ...mappings, default: mode };
  const field = key.kind === 'type' ? 'byType' : 'byKeyword';
  return { ...mappings, [field]: { ...(mappings[field] ?? {}), [key.name]: mode } };
}

/** A copy of `mappings` without `key`; undefined when the key is not mapped. */
export function withoutMapping(mappings: SparcMappings, key: SparcKey): SparcMappings | undefined {
  if (key.kind === 'default') {
    if (mappings.default === undefined) return undefined;
    const { default: _removed, ...rest } = mappings;
    return rest;
  }
  const field = key.kind === 'type' ? 'byType' : 'byKeyword';
  const table = mappings[field] ?? {};
  if (!Object.prototype.hasOwnProperty.call(table, key.name)) return undefined;
  const { [key.name]: _removed, ...rest } = table;
  return { ...mappings, [field]: rest };
}
