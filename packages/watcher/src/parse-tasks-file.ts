import { basename } from 'node:path';
import { ErrorCode, validateTasksFile, type TasksFile } from '@taskmaster/protocol';
import { locateJsonSyntaxError } from './json-syntax-error.js';
import type { TasksFileProblem } from './types.js';

/** A parsed and validated tasks file, or why it is not one. */
export type ParsedTasksFile = { ok: true; data: TasksFile } | { ok: false; problem: TasksFileProblem };

/**
 * Parses tasks.json bytes and validates them with the protocol's schema.
 * Messages name the place of the error, never the file's contents.
 */
export function parseTasksFile(path: string, bytes: Buffer): ParsedTasksFile {
  const name = basename(path);
  // Editors on Windows may save a byte-order mark, which JSON.parse rejects.
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const where = locateJsonSyntaxError(text);
    const problem: TasksFileProblem = where
      ? { path, code: ErrorCode.ParseError, line: where.line, column: where.column,
          message: `${name} is not valid JSON at line ${where.line}, column ${where.column}: ${where.reason}` }
      : { path, code: ErrorCode.ParseError, message: `${name} is not valid JSON` };
    return { ok: false, problem };
  }
  try {
    return { ok: true, data: validateTasksFile(json) };
  } catch (err) {
    return { ok: false, problem: { path, code: ErrorCode.InvalidParams, message: `${name} is not a Task Master tasks file: ${describeIssues(err)}` } };
  }
}

interface Issue {
  path: PropertyKey[];
  message: string;
}

/** `master.tasks[3].title: Invalid input: expected string (and 2 more)` from a ZodError. */
function describeIssues(err: unknown): string {
  const issues = (err as { issues?: Issue[] }).issues;
  const first = Array.isArray(issues) ? issues[0] : undefined;
  if (!first) return err instanceof Error ? err.message : String(err);
  const where = first.path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
  const more = issues!.length > 1 ? ` (and ${issues!.length - 1} more)` : '';
  return `${where || '(top level)'}: ${first.message}${more}`;
}
