import fs from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_SPARC_MAPPINGS, emptyTasksFile, SyncConfigSchema } from '@taskmaster/protocol';
import { tempPathFor } from './durable-write.js';
import { fileError } from './errors.js';
import { displayPath, storePaths } from './paths.js';

/**
 * Creates the spec's layout under `<root>/.taskmaster/`: `tasks/tasks.json`,
 * `tasks/history/`, `config/sync.json`, `sparc/mappings.json`, `logs/sync.log`.
 * Idempotent: nothing that exists is overwritten (Task Master's own
 * `config.json` and `state.json` are never touched). `config/connection.json`
 * is left absent; a running server writes it. Returns the paths it created,
 * relative to `root`.
 */
export async function initProject(root: string): Promise<{ created: string[] }> {
  const paths = storePaths(root);
  const created: string[] = [];
  const rel = (p: string) => displayPath(paths, p);
  try {
    for (const dir of [paths.taskmasterDir, paths.tasksDir, paths.historyDir, paths.configDir, path.dirname(paths.sparcFile), paths.logsDir]) {
      if ((await fs.mkdir(dir, { recursive: true })) !== undefined) created.push(rel(dir));
    }
    if (await createTasksFile(paths.tasksFile)) created.push(rel(paths.tasksFile));
    if (await createFile(paths.syncConfigFile, pretty(defaultSyncConfig()))) created.push(rel(paths.syncConfigFile));
    if (await createFile(paths.sparcFile, pretty(DEFAULT_SPARC_MAPPINGS))) created.push(rel(paths.sparcFile));
    if (await createFile(paths.logFile, '')) created.push(rel(paths.logFile));
  } catch (err) {
    throw fileError(err, 'initialise', rel(paths.taskmasterDir));
  }
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

/** Creates `file` with `text` unless it exists; false when it did. */
async function createFile(file: string, text: string): Promise<boolean> {
  try {
    await fs.writeFile(file, text, { flag: 'wx' });
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
    await fs.writeFile(temp, JSON.stringify(emptyTasksFile(), null, 2), { flag: 'wx' });
    await fs.link(temp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await fs.rm(temp, { force: true });
  }
}
