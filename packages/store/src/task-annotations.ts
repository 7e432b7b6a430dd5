import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  ComplexityReportSchema,
  complexityReportName,
  idKey,
  SparcMappingsSchema,
  sparcModeFor,
  type Task,
  type TaskAnnotations,
} from '@taskmaster/protocol';
import type { StorePaths } from './paths.js';

/** Files past this size are not read: a report or mappings file is a few KB. */
const MAX_BYTES = 4 * 1024 * 1024;

/**
 * What a board card shows beyond tasks.json, for the tasks of `tag`: the
 * complexity score from Task Master's report for that tag, and the SPARC mode
 * from `.taskmaster/sparc/mappings.json`. A missing, unreadable or malformed
 * file (a cloned repository's, say) gives nothing rather than an error: these
 * are decorations, and `taskmaster show` names problems with the files.
 */
export async function readTaskAnnotations(paths: StorePaths, tag: string, tasks: readonly Task[]): Promise<TaskAnnotations> {
  const annotations: TaskAnnotations = { tag, complexity: {}, sparc: {} };
  const ids = new Set(tasks.map((t) => idKey(t.id)));
  const report = ComplexityReportSchema.safeParse(await readJson(path.join(paths.taskmasterDir, 'reports', complexityReportName(tag))));
  if (report.success) {
    for (const entry of report.data.complexityAnalysis) {
      const id = idKey(entry.taskId);
      if (ids.has(id)) annotations.complexity[id] = entry.complexityScore;
    }
  }
  const mappings = SparcMappingsSchema.safeParse(await readJson(paths.sparcFile));
  if (mappings.success) {
    for (const task of tasks) {
      const match = sparcModeFor(task, mappings.data);
      if (match) annotations.sparc[idKey(task.id)] = match.mode;
    }
  }
  return annotations;
}

/** The JSON in `file`, never through a symbolic link; undefined when it is missing, too large or not JSON. */
async function readJson(file: string): Promise<unknown> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    const st = await handle.stat();
    if (!st.isFile() || st.size > MAX_BYTES) return undefined;
    return JSON.parse(await handle.readFile('utf8')) as unknown;
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}
