import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The extension's folder and the repository root, found from this file. */
export const EXTENSION_DIR = fileURLToPath(new URL('../../../', import.meta.url));
export const REPO_ROOT = path.resolve(EXTENSION_DIR, '../..');

/** What the e2e tests run: a real VS Code (code-server), chromium, the built extension. */
export interface E2eTools {
  codeServer: string;
  chromium: string;
  vsix: string;
  /** The taskmaster CLI (apps/cli/dist/bin.js). */
  cli: string;
}

const SETUP_HINT = 'run .ci/e2e-vscode-setup.sh from the repository root (installs chromium, ripgrep and code-server)';

/** Finds the tools or throws a message saying how to install them: missing tools fail the suite, never skip it. */
export function findTools(): E2eTools {
  const codeServer = path.join(REPO_ROOT, '.tools/code-server/node_modules/.bin/code-server');
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const vsix = path.join(EXTENSION_DIR, 'dist/taskmaster-sync.vsix');
  if (!existsSync(codeServer)) throw new Error(`code-server is not installed at .tools/code-server: ${SETUP_HINT}`);
  if (!existsSync(chromium)) throw new Error(`chromium is not installed (looked for ${chromium}): ${SETUP_HINT}`);
  if (!existsSync(vsix)) throw new Error('dist/taskmaster-sync.vsix is missing: run pnpm --filter taskmaster-sync-vscode build first');
  const cli = path.join(REPO_ROOT, 'apps/cli/dist/bin.js');
  if (!existsSync(cli)) throw new Error('the taskmaster CLI is not built: run pnpm --filter @taskmaster/cli build first');
  return { codeServer, chromium, vsix, cli };
}
