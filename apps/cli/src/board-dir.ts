import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The board's build shipped with this CLI (its build copies apps/board/dist
 * into dist/board), or undefined when this CLI was built without it. The
 * CLI hands the folder to the server; it never imports the board's code.
 */
export function shippedBoardDir(): string | undefined {
  // The ESM build runs from dist/ (chunks beside bin.js); the standalone CommonJS one from dist/standalone/.
  const here = typeof __dirname === 'string' ? __dirname : path.dirname(fileURLToPath(import.meta.url));
  for (const dir of [path.join(here, 'board'), path.join(here, '..', 'board')]) {
    if (existsSync(path.join(dir, 'index.html'))) return dir;
  }
  return undefined;
}
