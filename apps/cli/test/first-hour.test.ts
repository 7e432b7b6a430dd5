import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, emptyDir, FIXTURE, makeProject, readTasks, run, runJson, startDaemon, tasksFile } from './helpers.js';

/** The first hour on a real Task Master project: the 1.5 MB tasks.json of the task-master repository. */
afterEach(cleanUp);

const historyDir = (dir: string) => path.join(dir, '.taskmaster', 'tasks', 'history');
const gitignore = (dir: string) => path.join(dir, '.taskmaster', '.gitignore');
const IGNORED = ['tasks/history/', 'logs/', 'config/server.pid', 'config/connection.json', 'config/server.crt', 'tasks/tasks.json.lock*', '*.tmp'];

describe('history of a real project', () => {
  it('keeps 18 status changes of the 1.5 MB file in a few MB, and says what each change was', async () => {
    const dir = await makeProject({ fixture: true });
    const ids = readTasks(dir).master.tasks.slice(0, 18).map((t: { id: number }) => String(t.id));
    for (const [i, id] of ids.entries()) await runJson(['set-status', '--id', id, '--status', i % 2 ? 'review' : 'in-progress'], dir);
    const files = readdirSync(historyDir(dir)).map((f) => readFileSync(path.join(historyDir(dir), f)));
    const total = files.reduce((n, bytes) => n + bytes.length, 0);
    // The anchor, from the same snapshots: what they would take uncompressed (as before this change).
    const plain = files.reduce((n, bytes) => n + gunzipSync(bytes).length, 0);
    const mb = (n: number) => (n / 2 ** 20).toFixed(1);
    console.log(`benchmark: 18 status changes of the ${mb(statSync(FIXTURE).size)} MB fixture → ${mb(total)} MB of history · uncompressed ${mb(plain)} MB · ratio ${(total / plain).toFixed(2)}`);
    expect(total).toBeLessThan(8 * 2 ** 20);

    const { snapshots } = await runJson(['history', 'list'], dir);
    expect(snapshots).toHaveLength(18);
    expect(snapshots[0]).toEqual({ id: expect.any(String), createdAt: expect.any(String), bytes: expect.any(Number), op: 'task.setStatus', ids: [ids[17]], actor: 'cli', tag: 'master' });
    const human = await run(['history', 'list'], dir);
    expect(human.stdout).toMatch(new RegExp(`${snapshots[0].id}\\s+\\S+ \\S+ UTC\\s+before task\\.setStatus\\s+task ${ids[17]} in master\\s+by cli\\s+\\d+\\.\\d KB`));

    // The oldest snapshot is the fixture as it was: restoring it gives back its bytes.
    await runJson(['history', 'restore', snapshots[17].id], dir);
    expect(readFileSync(tasksFile(dir))).toEqual(readFileSync(FIXTURE));
  });
});

describe('.gitignore entries', () => {
  it('init writes .taskmaster/.gitignore once, completes an existing one, and leaves the root .gitignore alone', async () => {
    const dir = emptyDir();
    writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n');
    expect((await run(['init'], dir)).code).toBe(0);
    const lines = readFileSync(gitignore(dir), 'utf8').split('\n');
    for (const entry of IGNORED) expect(lines).toContain(entry);
    expect((await run(['init'], dir)).code).toBe(0);
    expect(readFileSync(gitignore(dir), 'utf8').split('\n')).toEqual(lines);
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\n');

    // The user's own lines stay; only missing entries are added, never a second copy.
    writeFileSync(gitignore(dir), 'my-notes.md\n/tasks/history\nlogs/');
    expect((await run(['init'], dir)).code).toBe(0);
    const completed = readFileSync(gitignore(dir), 'utf8').split('\n');
    expect(completed.slice(0, 3)).toEqual(['my-notes.md', '/tasks/history', 'logs/']);
    expect(completed.filter((l) => l.includes('history'))).toEqual(['/tasks/history']);
    expect(completed.filter((l) => l === 'logs/')).toHaveLength(1);
    expect(completed).toContain('config/connection.json');
  });

  it('never writes through a symlinked .taskmaster/.gitignore', async () => {
    const dir = emptyDir();
    mkdirSync(path.join(dir, '.taskmaster'));
    const victim = path.join(emptyDir(), 'victim');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, gitignore(dir));
    const r = await run(['init'], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\.gitignore/);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(gitignore(dir)).isSymbolicLink()).toBe(true);
  });

  it('sync server start adds it to a project Task Master made', async () => {
    const dir = await makeProject();
    rmSync(gitignore(dir));
    await startDaemon(dir);
    for (const entry of IGNORED) expect(readFileSync(gitignore(dir), 'utf8').split('\n')).toContain(entry);
  });
});

describe('SPARC modes', () => {
  it('refuses an unknown mode, listing the valid ones, and says what SPARC is', async () => {
    const dir = await makeProject();
    const bad = await run(['sparc', 'set', 'foo', 'not-a-mode'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("'not-a-mode' is not a SPARC mode");
    for (const mode of ['architect', 'code', 'tdd', 'debug', 'spec-pseudocode', 'refinement-optimization-mode']) expect(bad.stderr).toContain(mode);
    expect((await runJson(['sparc'], dir)).byKeyword.foo).toBeUndefined();
    expect((await run(['sparc', 'set', 'foo', 'architect'], dir)).code).toBe(0);

    const task = await runJson(['add-task', '--title', 'Design the foo layer'], dir);
    const shown = (await run(['show', String(task.id)], dir)).stdout.split('\n').find((l) => l.startsWith('SPARC mode:'));
    expect(shown).toMatch(/SPARC mode:\s+architect \(keyword:foo\).*Specification, Pseudocode, Architecture, Refinement, Completion/);
    expect((await run(['sparc', '--help'], dir)).stdout).toMatch(/SPARC: Specification, Pseudocode, Architecture, Refinement, Completion/);
  });
});

describe('one broken tag', () => {
  /** The fixture with one more tag whose second task has a null title, as another tool might write it. */
  async function projectWithBrokenTag(): Promise<{ dir: string; brokenText: string }> {
    const dir = await makeProject({ fixture: true });
    const data = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    data.broken = { tasks: [{ id: 1, title: 'fine', status: 'pending' }, { id: 7, title: null, status: 'pending' }], metadata: { created: '2025-01-01T00:00:00.000Z' } };
    writeFileSync(tasksFile(dir), `${JSON.stringify(data, null, 2)}\n`);
    const text = readFileSync(tasksFile(dir), 'utf8');
    return { dir, brokenText: text.slice(text.indexOf('\n  "broken": {')) };
  }

  it('keeps every other tag usable, reports the broken one once, and refuses commands on it', async () => {
    const { dir, brokenText } = await projectWithBrokenTag();
    const list = await run(['list'], dir);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^Tag master: 93 tasks/);
    const warnings = list.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/tag broken, task 7, field title: expected string, received null/);

    // Listed with its problem, and no ready count (its tasks cannot be read).
    const tags = await runJson(['tags'], dir);
    expect(tags.tags.find((t: { name: string }) => t.name === 'broken')).toEqual({ name: 'broken', taskCount: 2, readyCount: 0, completedCount: 0, problem: 'task 7, field title: expected string, received null' });
    expect((await run(['tags'], dir)).stdout).toMatch(/broken\s+2\s+-\s+0\s+invalid: task 7, field title: expected string, received null/);

    const onBroken = await run(['list', '--tag', 'broken'], dir);
    expect(onBroken.code).toBe(1);
    expect(onBroken.stderr).toMatch(/tag broken, task 7, field title/);
    expect(onBroken.stderr).toMatch(/taskmaster history restore/);
    expect(onBroken.stderr).toMatch(/taskmaster history list/);
    expect(onBroken.stderr).not.toMatch(/--help/);
    expect((await run(['set-status', '--id', '1', '--status', 'done', '--tag', 'broken'], dir)).code).toBe(1);

    // A write to master keeps the broken tag byte for byte.
    expect((await run(['set-status', '--id', '1', '--status', 'done'], dir)).code).toBe(0);
    const after = readFileSync(tasksFile(dir), 'utf8');
    expect(readTasks(dir).master.tasks[0].status).toBe('done');
    expect(after.slice(after.indexOf('\n  "broken": {'))).toBe(brokenText);
    expect((await runJson(['show', '2'], dir)).id).toBe('2');

    // Through a running server: the same warning, and the same refusals, from the same ops.
    await startDaemon(dir);
    const listVia = await run(['list', '--verbose'], dir);
    expect(listVia.code).toBe(0);
    expect(listVia.stderr).toMatch(/via server/);
    expect(listVia.stderr.split('\n').filter((l) => l.startsWith('warning:'))).toEqual([warnings[0]]);
    expect((await run(['list', '--tag', 'broken'], dir)).stderr).not.toMatch(/^warning:/m);
    const viaServer = await run(['list', '--tag', 'broken', '--verbose'], dir);
    expect(viaServer.code).toBe(1);
    expect(viaServer.stderr).toMatch(/via server/);
    expect(viaServer.stderr).toMatch(/tag broken, task 7, field title: expected string, received null/);
    expect((await run(['show', '1', '--tag', 'broken'], dir)).code).toBe(1);
    expect((await runJson(['tags'], dir)).tags.find((t: { name: string }) => t.name === 'broken').problem).toBe('task 7, field title: expected string, received null');
    expect((await run(['sync', 'server', 'status'], dir)).stdout).toMatch(/^ {2}broken\s+broken: task 7, field title: expected string, received null$/m);
    expect((await run(['set-status', '--id', '1', '--status', 'done', '--tag', 'broken'], dir)).code).toBe(1);
    const untouched = readFileSync(tasksFile(dir), 'utf8');
    expect(untouched.slice(untouched.indexOf('\n  "broken": {'))).toBe(brokenText);
    // A command that mends the tag is what it takes to use it again.
    expect((await run(['update-task', '--id', '7', '--title', 'Mended', '--tag', 'broken'], dir)).code).toBe(0);
    expect((await runJson(['list', '--tag', 'broken'], dir)).tasks.map((t: { title: string }) => t.title)).toEqual(['fine', 'Mended']);
    expect((await runJson(['tags'], dir)).tags.find((t: { name: string }) => t.name === 'broken')).not.toHaveProperty('problem');
    expect((await run(['sync', 'server', 'status'], dir)).stdout).toMatch(/^ {2}broken\s+2 tasks, 0 done$/m);
  });

  it('lets a command mend a broken tag without a server', async () => {
    const { dir } = await projectWithBrokenTag();
    expect((await run(['update-task', '--id', '7', '--title', 'Mended', '--tag', 'broken'], dir)).code).toBe(0);
    const listed = await run(['list', '--tag', 'broken', '--json'], dir);
    expect(listed.stderr).not.toMatch(/warning/);
    expect(JSON.parse(listed.stdout).tasks.map((t: { title: string }) => t.title)).toEqual(['fine', 'Mended']);
  });

  it('warns through a server that cannot read the file, and lists the last version it read', async () => {
    const dir = await makeProject({ fixture: true });
    await startDaemon(dir);
    // The server learns of the file after its debounce: list again until it says (or stops saying) so.
    const listUntil = async (done: (stderr: string) => boolean) => {
      let list = await run(['list'], dir);
      for (let tries = 0; !done(list.stderr) && tries < 50; tries++) {
        await new Promise((r) => setTimeout(r, 100));
        list = await run(['list'], dir);
      }
      return list;
    };
    writeFileSync(tasksFile(dir), readFileSync(FIXTURE, 'utf8').slice(0, 1000));
    const list = await listUntil((stderr) => /warning:/.test(stderr));
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^Tag master: 93 tasks/);
    expect(list.stderr).toMatch(/^warning: tasks\.json is not valid JSON at line \d+, column \d+.*What follows shows the last version the server read; fix the file and save it/m);
    // Put back: no warning.
    writeFileSync(tasksFile(dir), readFileSync(FIXTURE));
    const again = await listUntil((stderr) => !/warning:/.test(stderr));
    expect(again.stderr).not.toMatch(/warning:/);
  });

  it('still fails the whole file for bad JSON', async () => {
    const dir = await makeProject({ fixture: true });
    writeFileSync(tasksFile(dir), readFileSync(FIXTURE, 'utf8').slice(0, 1000));
    const r = await run(['list'], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/tasks\.json is not valid JSON at line \d+/);
    expect(r.stderr).toMatch(/history restore/);
  });
});

describe('pnpm start', () => {
  it('runs a server on the project until Ctrl-C, then exits 0 without pnpm reporting a failure', async () => {
    const dir = await makeProject({ fixture: true });
    const repo = fileURLToPath(new URL('../../../', import.meta.url));
    // `pnpm start` builds the CLI and what it needs, not the whole repository: run here, beside the test
    // run's own turbo, a build of the VS Code extension (not cached yet) cleaned its dist/ while vsce was
    // scanning it, and the CI run failed (ENOENT on dist/taskmaster.cjs).
    // A process group of its own, as a terminal gives a command: Ctrl-C is SIGINT to the whole group.
    const child = spawn('pnpm', ['start', '--port', '0', '--http-port', '0'], {
      cwd: repo,
      detached: true,
      env: { ...process.env, TASK_MASTER_PROJECT_ROOT: dir, TURBO_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 120_000;
    while (!out.includes('Ctrl-C to stop') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain('Ctrl-C to stop');
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('sync server stopped');
    expect(out).not.toContain('ELIFECYCLE');
  }, 150_000);
});
