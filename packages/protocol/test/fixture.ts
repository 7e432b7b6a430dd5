import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The real 1.5 MB tasks.json from a large Task Master project. */
export const FIXTURE_PATH = fileURLToPath(
  new URL('../../../../shared/fixtures/taskmaster-repo-tasks.json', import.meta.url),
);

export function readFixtureText(): string {
  return readFileSync(FIXTURE_PATH, 'utf8');
}
