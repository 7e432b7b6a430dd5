import { basename } from 'node:path';
import { isTaskmasterError, parseTasksFileText, type TasksFile } from '@taskmaster/protocol';
import type { TasksFileProblem } from './types.js';

/** A parsed and validated tasks file, or why it is not one. */
export type ParsedTasksFile = { ok: true; data: TasksFile } | { ok: false; problem: TasksFileProblem };

/**
 * Parses tasks.json bytes with the protocol's parser (the store uses the same
 * one), turning its error into a problem report. Messages name the place of
 * the error, never the file's contents.
 */
export function parseTasksFile(path: string, bytes: Buffer): ParsedTasksFile {
  try {
    return { ok: true, data: parseTasksFileText(bytes.toString('utf8'), basename(path)) };
  } catch (err) {
    if (!isTaskmasterError(err)) throw err;
    const problem: TasksFileProblem = { path, code: err.code, message: err.message };
    const where = err.data as { line?: number; column?: number } | undefined;
    if (where?.line !== undefined && where.column !== undefined) {
      problem.line = where.line;
      problem.column = where.column;
    }
    return { ok: false, problem };
  }
}
