import fs from 'node:fs/promises';
import { findJsonSyntaxError, invalidFromIssues, SyncConfigSchema, type SyncConfig } from '@taskmaster/protocol';
import { fileError, invalidParams } from './errors.js';

/**
 * `config/sync.json` validated with defaults filled in. A missing file means
 * all defaults; a bad one is -32602 naming the file and the bad key path,
 * e.g. `config/sync.json: port: expected number, received string`.
 */
export async function loadSyncConfig(file: string, displayName: string): Promise<SyncConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return SyncConfigSchema.parse({});
    throw fileError(err, 'read', displayName);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const problem = findJsonSyntaxError(text);
    const where = problem ? ` at line ${problem.line}, column ${problem.column}: ${problem.reason}` : '';
    throw invalidParams(`${displayName} is not valid JSON${where}`, problem ? { line: problem.line, column: problem.column } : undefined);
  }
  const parsed = SyncConfigSchema.safeParse(raw);
  if (!parsed.success) throw invalidFromIssues(parsed.error.issues, `${displayName}: `);
  return parsed.data;
}
