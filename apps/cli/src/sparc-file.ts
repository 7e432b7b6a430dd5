import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, CliErrorCode } from './cli-error.js';
import { describeIssue, SparcMappingsSchema, type SparcMappings } from '@taskmaster/protocol';

/** Reads the mappings file; an absent file is empty mappings. */
export function readSparcMappings(file: string): SparcMappings {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(
      CliErrorCode.InvalidParams,
      `.taskmaster/sparc/mappings.json is not valid JSON (${(err as Error).message})`,
      'fix the file by hand or delete it and run taskmaster init',
    );
  }
  const checked = SparcMappingsSchema.safeParse(parsed);
  if (!checked.success) {
    throw new CliError(
      CliErrorCode.InvalidParams,
      `.taskmaster/sparc/mappings.json: ${describeIssue(checked.error.issues[0]!)}`,
      'fix the file by hand or delete it and run taskmaster init',
    );
  }
  return parsed as SparcMappings;
}

/**
 * Writes the mappings atomically (temp file + rename), so readers never see
 * half a file, and never through a symbolic link planted in `sparc/`.
 */
export async function writeSparcMappings(file: string, mappings: SparcMappings): Promise<void> {
  const { ensureRealDirectory, replaceFileNoFollow } = await import('@taskmaster/store');
  await ensureRealDirectory(path.dirname(file), { create: true });
  await replaceFileNoFollow(file, `${JSON.stringify(mappings, null, 2)}\n`);
}
