import fs from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_SPARC_MAPPINGS, emptyTasksFile, SyncConfigSchema } from '@taskmaster/protocol';
import { tempPathFor } from './durable-write.js';
import { fileError } from './errors.js';
import { displayPath, storePaths } from './paths.js';
import { ensureRealDirectory, removeFile, writeNewFileNoFollow } from './safe-fs.js';
import { ensureGitignore } from './gitignore.js';

/**
 * Creates the spec's layout under `<root>/.taskmaster/`: `tasks/tasks.json`,
 * `tasks/history/`, `config/sync.json`, `sparc/mappings.json`, `logs/sync.log`,
 * and `.gitignore` entries for what is local to a machine (history, logs, the
 * server's pid, connection and certificate, the lock, temp files).
 * Idempotent: nothing that exists is overwritten (Task Master's own
 * `config.json` and `state.json` are never touched). `config/connection.json`
 * is left absent; a running server writes it. Returns the paths it created,
 * relative to `root`.
 */
export async function initProject(root: string): Promise<{ created: string[] }> {
  const paths = storePaths(root);
  const created: string[] = [];
  const rel = (p: string) => displayPath(paths, p);
  /** Runs one step; a failure names the path it was about (a symbolic link, a full disk…). */
  const step = async (file: string, make: () => Promise<boolean>) => {
    try {
      if (await make()) created.push(rel(file));
    } catch (err) {
      throw fileError(err, 'initialise', rel(file));
    }
  };
  // `.taskmaster/` and `tasks/` may be links on purpose (like tasks.json); the folders we fill must not be.
  for (const dir of [paths.taskmasterDir, paths.tasksDir]) {
    await step(dir, async () => (await fs.mkdir(dir, { recursive: true })) !== undefined);
  }
  for (const dir of [paths.historyDir, paths.configDir, path.dirname(paths.sparcFile), paths.logsDir]) {
    await step(dir, async () => (await ensureRealDirectory(dir, { create: true })).created);
  }
  await step(paths.tasksFile, () => createTasksFile(paths.tasksFile));
  await step(paths.syncConfigFile, () => createFile(paths.syncConfigFile, pretty(defaultSyncConfig())));
  await step(paths.sparcFile, () => createFile(paths.sparcFile, pretty(DEFAULT_SPARC_MAPPINGS)));
  await step(paths.logFile, () => createFile(paths.logFile, '', 0o600));
  const gitignore = path.join(paths.taskmasterDir, '.gitignore');
  await step(gitignore, () => ensureGitignore(gitignore));
  return { created };
}

/** The connection basics spelled out so users see what to edit; every other key keeps its default. */
function defaultSyncConfig(): Record<string, unknown> {
  const d = SyncConfigSchema.parse({});
  return { host: d.host, port: d.port, httpPort: d.httpPort, path: d.path, conflictStrategy: d.conflictStrategy, autoSync: d.autoSync };
}

function pretty(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Creates `file` with `text` unless it exists (a link there counts, and is never followed); false when it did. */
async function createFile(file: string, text: string, mode = 0o644): Promise<boolean> {
  try {
    await writeNewFileNoFollow(file, text, mode);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Creates tasks.json complete or not at all: written to a temp file, then
 * hard-linked into place, which fails if Task Master created it meanwhile.
 */
async function createTasksFile(file: string): Promise<boolean> {
  const temp = tempPathFor(file);
  try {
    await writeNewFileNoFollow(temp, JSON.stringify(emptyTasksFile(), null, 2));
    // link() never follows a link at `file`: a dangling tasks.json link counts as existing.
    await fs.link(temp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await removeFile(temp);
  }
}
