import { basename } from 'node:path';
import {
  isLegacyTasksFile,
  isTaskmasterError,
  parseTasksFileText,
  parseTasksFileTextByTag,
  tagsOf,
  type TasksFile,
} from '@taskmaster/protocol';
import type { TasksFileProblem } from './types.js';

/** A parsed and validated tasks file (but for `brokenTags`, already broken before and left as they are), or why it is not one. */
export type ParsedTasksFile = { ok: true; data: TasksFile; brokenTags: string[] } | { ok: false; problem: TasksFileProblem };

/**
 * Parses tasks.json bytes with the protocol's parser (the store uses the same
 * one), turning its error into a problem report. Messages name the place of
 * the error, never the file's contents. `brokenBefore`: the tags of the last
 * good version that were broken already, asked for only when these bytes have
 * a broken tag (without it, every broken tag is new).
 */
export function parseTasksFile(path: string, bytes: Buffer, brokenBefore?: () => ReadonlySet<string>): ParsedTasksFile {
  const text = bytes.toString('utf8');
  try {
    // A tag that was already broken (a null title another tool left long ago) must not hide the changes
    // made to the others, as the store and the CLI do not let it block them: it is kept as it is and left
    // out of the events. It is walked like any other tag, so it must still be a list of tasks with ids.
    // A write that breaks a tag is reported, as a broken file is.
    const { data, brokenTags } = parseTasksFileTextByTag(text, basename(path));
    if (brokenTags.length === 0) return { ok: true, data, brokenTags: [] };
    if (!isLegacyTasksFile(data) && brokenBefore !== undefined && brokenTags.every((p) => hasTaskList(tagsOf(data)[p.tag]))) {
      const wasBroken = brokenBefore();
      if (brokenTags.every((p) => wasBroken.has(p.tag))) return { ok: true, data, brokenTags: brokenTags.map((p) => p.tag) };
    }
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
