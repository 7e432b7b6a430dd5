import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, parseTasksFileTextByTag, tagProblemText, TaskmasterError, type TasksFile } from '@taskmaster/protocol';

/**
 * The project's files the extension reads itself, without a server. No
 * vscode import: the unit tests read them too.
 */

/** The tasks file, relative to the project root. */
export const TASKS_FILE = '.taskmaster/tasks/tasks.json';
/** Task Master's own state (holds `currentTag`), relative to the project root. */
export const STATE_FILE = '.taskmaster/state.json';

/** The tasks file as read without a server, and its broken tags, each with what is wrong (as `tags.list` says it). */
export interface ProjectTasks {
  data: TasksFile;
  tagProblems: Record<string, string>;
}

/** Reads and validates the project's tasks file, tag by tag; throws a TaskmasterError a user can act on. */
export async function readTasksFile(root: string): Promise<ProjectTasks> {
  let text: string;
  try {
    text = await readFile(path.join(root, TASKS_FILE), 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new TaskmasterError(
      ErrorCode.FileAccessDenied,
      missing ? `${TASKS_FILE} does not exist yet; run 'taskmaster init' or add a task` : `cannot read ${TASKS_FILE}: ${(err as Error).message}; check its owner and mode`,
    );
  }
  try {
    // Tag by tag, as the server and the CLI read it: a tag another tool left broken (a null title) is
    // kept as it is, as a server's snapshot holds it, and the other tags are shown.
    const { data, brokenTags } = parseTasksFileTextByTag(text, 'tasks.json');
    return { data, tagProblems: Object.fromEntries(brokenTags.map((p) => [p.tag, tagProblemText(p)])) };
  } catch (err) {
    throw new TaskmasterError(ErrorCode.InvalidMessage, `${TASKS_FILE} is not a valid tasks file (${(err as Error).message.split('\n')[0]}); fix it and save again`);
  }
}

/** The tag Task Master has selected (`state.json`'s `currentTag`), if any. */
export async function readCurrentTag(root: string): Promise<string | undefined> {
  try {
    const state = JSON.parse(await readFile(path.join(root, STATE_FILE), 'utf8')) as { currentTag?: unknown };
    return typeof state.currentTag === 'string' && state.currentTag ? state.currentTag : undefined;
  } catch {
    return undefined;
  }
}
