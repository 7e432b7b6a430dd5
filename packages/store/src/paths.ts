import path from 'node:path';

/** Where everything lives under `<root>/.taskmaster/`. */
export interface StorePaths {
  root: string;
  taskmasterDir: string;
  tasksDir: string;
  tasksFile: string;
  /** Task Master's own lock (proper-lockfile on tasks.json); fills the spec's `tasks.lock` role. */
  lockFile: string;
  historyDir: string;
  /** The overridden changes still standing, kept across server restarts (see overridden-notices.ts). */
  overriddenFile: string;
  /**
   * Where the temp files of tasks.json's atomic writes are made (see
   * write-target.ts): a folder of their own, so that writing one wakes no
   * watcher of `tasks/`.
   */
  stagingDir: string;
  configDir: string;
  syncConfigFile: string;
  connectionFile: string;
  sparcFile: string;
  logsDir: string;
  logFile: string;
  /** Task Master's `state.json` (holds `currentTag`): written by `tag.use`, and when the current tag is renamed. */
  stateFile: string;
}

/** The name of the project folder Task Master creates. */
export const TASKMASTER_DIR = '.taskmaster';

/** The paths of a project rooted at `root`. */
export function storePaths(root: string): StorePaths {
  const abs = path.resolve(root);
  const taskmasterDir = path.join(abs, TASKMASTER_DIR);
  const tasksDir = path.join(taskmasterDir, 'tasks');
  const tasksFile = path.join(tasksDir, 'tasks.json');
  const configDir = path.join(taskmasterDir, 'config');
  const logsDir = path.join(taskmasterDir, 'logs');
  return {
    root: abs,
    taskmasterDir,
    tasksDir,
    tasksFile,
    lockFile: `${tasksFile}.lock`,
    historyDir: path.join(tasksDir, 'history'),
    overriddenFile: path.join(tasksDir, 'history', 'overridden.json'),
    stagingDir: path.join(tasksDir, '.staging'),
    configDir,
    syncConfigFile: path.join(configDir, 'sync.json'),
    connectionFile: path.join(configDir, 'connection.json'),
    sparcFile: path.join(taskmasterDir, 'sparc', 'mappings.json'),
    logsDir,
    logFile: path.join(logsDir, 'sync.log'),
    stateFile: path.join(taskmasterDir, 'state.json'),
  };
}

/** `file` relative to the project root, for messages that must not leak machine paths. */
export function displayPath(paths: StorePaths, file: string): string {
  const rel = path.relative(paths.root, file);
  return rel && !rel.startsWith('..') ? rel.split(path.sep).join('/') : path.basename(file);
}
