import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SparcMappingsSchema, sparcModeFor, type SparcMappings } from '@taskmaster/protocol';

/** Where the mappings live, relative to the project root. */
export const SPARC_FILE = path.join('.taskmaster', 'sparc', 'mappings.json');

/** The SPARC mode name of a task for tooltips and task documents (the rule is protocol's). */
export function sparcModeNameFor(task: Parameters<typeof sparcModeFor>[0], mappings: SparcMappings): string | undefined {
  return sparcModeFor(task, mappings)?.mode;
}

/** Reads the project's mappings; none, or an unreadable or invalid file, is no mappings. */
export async function readSparcMappings(root: string): Promise<SparcMappings> {
  try {
    const checked = SparcMappingsSchema.safeParse(JSON.parse(await readFile(path.join(root, SPARC_FILE), 'utf8')));
    return checked.success ? checked.data : {};
  } catch {
    return {};
  }
}

export type { SparcMappings };
