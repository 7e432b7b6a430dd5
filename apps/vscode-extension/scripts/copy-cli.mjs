// Copies the CLI's standalone bundle (one CommonJS file with the sync server and every
// dependency inside, built by @taskmaster/cli) into dist/, so the .vsix carries a server
// and "TaskMaster: Start Server" works on a machine without the CLI. The CLI is a
// devDependency, so turbo builds it before this package.
import { chmodSync, copyFileSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
let source;
try {
  source = require.resolve('@taskmaster/cli/dist/standalone/taskmaster.cjs');
} catch {
  console.error('the CLI\'s standalone bundle is missing: run pnpm --filter @taskmaster/cli build first');
  process.exit(1);
}
const target = fileURLToPath(new URL('../dist/taskmaster.cjs', import.meta.url));
mkdirSync(fileURLToPath(new URL('../dist/', import.meta.url)), { recursive: true });
copyFileSync(source, target);
chmodSync(target, 0o755);
console.log(`dist/taskmaster.cjs ${(statSync(target).size / 1024 / 1024).toFixed(2)} MB (the bundled taskmaster CLI)`);
