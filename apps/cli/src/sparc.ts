import type { SparcMappings } from '@taskmaster/protocol';

/**
 * Editing `.taskmaster/sparc/mappings.json` from the command line. The lookup
 * itself (`sparcModeFor`) lives in @taskmaster/protocol, shared with VS Code.
 */

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
