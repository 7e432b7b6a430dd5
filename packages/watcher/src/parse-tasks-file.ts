import { basename } from 'node:path';
import {
  isLegacyTasksFile,
  isTaskmasterError,
  parseTasksFileText,
  parseTasksFileTextByTag,
  tagsOf,
  type TagProblem,
  type TasksFile,
} from '@taskmaster/protocol';
import type { TasksFileProblem } from './types.js';

/** A parsed and validated tasks file (but for `brokenTags`, left as they are), or why it is not one. */
export type ParsedTasksFile = { ok: true; data: TasksFile; brokenTags: TagProblem[] } | { ok: false; problem: TasksFileProblem };

/**
 * Parses tasks.json bytes with the protocol's parser (the store uses the same
 * one), turning its error into a problem report. Messages name the place of
 * the error, never the file's contents.
 */
export function parseTasksFile(path: string, bytes: Buffer): ParsedTasksFile {
  const text = bytes.toString('utf8');
  try {
    // A broken tag (a task with a null title, left long ago or by this very write) must not hide the
    // changes made to the others, as the store and the CLI do not let it block them: it is kept as it is
    // and left out of the events, and the server reports it. It is walked like any other tag, so it must
    // still be a list of tasks with ids; the legacy format's one tag is the whole file.
    const { data, brokenTags } = parseTasksFileTextByTag(text, basename(path));
    if (brokenTags.length === 0) return { ok: true, data, brokenTags: [] };
    if (!isLegacyTasksFile(data) && brokenTags.every((p) => hasTaskList(tagsOf(data)[p.tag]))) return { ok: true, data, brokenTags };
    // The whole file is reported, with the strict parser's wording of its first problem.
    return { ok: true, data: parseTasksFileText(text, basename(path)), brokenTags: [] };
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

/** True when a tag's value is an object whose `tasks` are objects with an `id`: what a diff walks. */
function hasTaskList(tag: unknown): boolean {
  const tasks = (tag as { tasks?: unknown } | null)?.tasks;
  return Array.isArray(tasks) && tasks.every((t) => typeof t === 'object' && t !== null && 'id' in t);
}
