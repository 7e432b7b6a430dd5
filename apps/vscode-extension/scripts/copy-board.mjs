// Copies the board's build (apps/board/dist: index.html and hashed assets) into dist/board,
// which "TaskMaster: Open Board" loads into a webview. The extension never imports the board's
// code; turbo builds the board first (turbo.json: taskmaster-sync-vscode#build).
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../../board/dist/', import.meta.url));
const target = fileURLToPath(new URL('../dist/board/', import.meta.url));
if (!existsSync(path.join(source, 'index.html'))) {
  console.error('the board is not built (apps/board/dist/index.html is missing): run pnpm --filter @taskmaster/board build first');
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
cpSync(source, target, { recursive: true });

let bytes = 0;
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(file);
    else bytes += statSync(file).size;
  }
};
walk(target);
console.log(`dist/board ${(bytes / 1024).toFixed(0)} KB (the board's build, for the Open Board webview)`);
