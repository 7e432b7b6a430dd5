import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../src/process-state.js';

/**
 * The standalone bundle (dist/standalone/taskmaster.cjs) is what the VS Code extension
 * ships for machines without the CLI: one CommonJS file that must run from a folder with
 * no node_modules anywhere above it, with plain node and as an editor runs it
 * (ELECTRON_RUN_AS_NODE=1 on the editor's own binary).
 */
const BUNDLE = fileURLToPath(new URL('../dist/standalone/taskmaster.cjs', import.meta.url));

const base = mkdtempSync(path.join(os.tmpdir(), 'taskmaster-standalone-'));
const bin = path.join(base, 'extension', 'dist', 'taskmaster.cjs');
const project = path.join(base, 'project');
afterAll(async () => {
  await cli(['sync', 'server', 'stop']).catch(() => undefined);
  rmSync(base, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: project,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1', TASK_MASTER_PROJECT_ROOT: '', NODE_PATH: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function json<T = any>(args: string[]): Promise<T> {
  const r = await cli([...args, '--json']);
  if (r.code !== 0) throw new Error(`taskmaster ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

describe('the standalone bundle', () => {
  it('is one self-contained file that runs init, sync server start, list and stop from a bare folder', async () => {
    expect(existsSync(BUNDLE), 'run pnpm --filter @taskmaster/cli build first').toBe(true);
    // Copied away from the repository: no node_modules can help it resolve anything.
    mkdirSync(path.dirname(bin), { recursive: true });
    mkdirSync(project);
    copyFileSync(BUNDLE, bin);
    expect(readFileSync(bin, 'utf8')).not.toMatch(/require\("(fastify|chokidar|ws|proper-lockfile|zod|@taskmaster\/[a-z]+)"\)/);

    const init = await cli(['init']);
    expect(init.code, init.stderr).toBe(0);
    expect(existsSync(path.join(project, '.taskmaster', 'tasks', 'tasks.json'))).toBe(true);

    const started = await json(['sync', 'server', 'start', '--port', '0', '--http-port', '0']);
    expect(started.alreadyRunning).toBe(false);
    expect(isAlive(started.pid)).toBe(true);
    // The daemon is the same bundle, run by the same binary.
    expect(readFileSync(`/proc/${started.pid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining([process.execPath, bin]));

    expect((await cli(['add-task', '--title', 'Through the server'])).code).toBe(0);
    // A hand edit reaches the server through its file watcher (chokidar, inside the bundle).
    const file = path.join(project, '.taskmaster', 'tasks', 'tasks.json');
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.master.tasks.push({ id: 2, title: 'Edited by hand', status: 'pending', priority: 'low', dependencies: [] });
    writeFileSync(file, JSON.stringify(data, null, 2));
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      const status = await json(['sync', 'server', 'status']);
      if (status.tags.find((t: { name: string }) => t.name === 'master')?.taskCount === 2) break;
    }
    const listed = await cli(['list', '--verbose']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stderr).toContain(`via server ${started.wsUrl}`);
    expect(listed.stdout).toMatch(/^1\s+pending\s+\S+\s+Through the server$/m);
    expect(listed.stdout).toMatch(/^2\s+pending\s+low\s+Edited by hand$/m);

    const stopped = await json(['sync', 'server', 'stop']);
    expect(stopped).toMatchObject({ stopped: true, pid: started.pid });
    expect(isAlive(started.pid)).toBe(false);
  });
});
