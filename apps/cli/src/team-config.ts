import { readFile } from 'node:fs/promises';
import type { Store } from '@taskmaster/store';

/**
 * Sets (or, with undefined, removes) `team` in `.taskmaster/config/sync.json`,
 * keeping every other key. The file is written with mode 0600 from then on:
 * the team URL may hold the database password.
 */
export async function writeTeamConfig(store: Store, team: Record<string, unknown> | undefined): Promise<void> {
  const file = store.paths.syncConfigFile;
  let current: Record<string, unknown> = {};
  try {
    current = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const { team: _old, ...rest } = current;
  const next = team === undefined ? rest : { ...rest, team };
  const { replaceFileNoFollow } = await import('@taskmaster/store');
  await replaceFileNoFollow(file, `${JSON.stringify(next, null, 2)}\n`, 0o600);
}
