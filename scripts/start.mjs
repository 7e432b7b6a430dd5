#!/usr/bin/env node
// `pnpm start`: a live sync server in the foreground on a project. The project is
// $TASK_MASTER_PROJECT_ROOT when set, else a demo project in .demo/ (git-ignored),
// seeded once from examples/demo-tasks.json so there is something to look at.
// The server requires a token (generated per start unless the project's sync.json sets
// "token" or "auth": "none"); it says where connection.json holds it, for clients to read.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = process.env.TASK_MASTER_PROJECT_ROOT ? resolve(process.env.TASK_MASTER_PROJECT_ROOT) : join(repo, '.demo');
const tasksFile = join(root, '.taskmaster', 'tasks', 'tasks.json');
if (!process.env.TASK_MASTER_PROJECT_ROOT && !existsSync(tasksFile)) {
  mkdirSync(dirname(tasksFile), { recursive: true });
  copyFileSync(join(repo, 'examples', 'demo-tasks.json'), tasksFile);
}
console.log(`project: ${root}`);
const cli = join(repo, 'apps', 'cli', 'dist', 'bin.js');
const { SERVER_ENV, SERVER_NODE_FLAGS } = await import('../packages/server/dist/node-flags.js');
const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, cli, 'sync', 'server', 'start', '--foreground', '--root', root, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...SERVER_ENV, ...process.env },
});
// Ctrl-C reaches the child through the terminal; SIGTERM from a service manager is passed on.
process.on('SIGTERM', () => child.kill('SIGTERM'));
process.on('SIGINT', () => {});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
