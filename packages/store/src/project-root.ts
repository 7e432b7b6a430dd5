import fs from 'node:fs';
import path from 'node:path';
import { TASKMASTER_DIR } from './paths.js';

/**
 * The project root: `TASK_MASTER_PROJECT_ROOT` when set, else the first
 * directory from `start` upwards that holds a `.taskmaster` folder.
 * Undefined when there is none.
 */
export function findProjectRoot(start: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.TASK_MASTER_PROJECT_ROOT?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  let dir = path.resolve(start);
  for (;;) {
    if (isDirectory(path.join(dir, TASKMASTER_DIR))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
