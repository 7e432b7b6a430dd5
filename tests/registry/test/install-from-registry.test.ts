import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRegistry, type LocalRegistry } from './local-registry.js';
import { cleanEnv, run, type RunResult } from './run.js';

/**
 * Install like a user: every publishable package of the workspace is packed by pnpm (which
 * turns `workspace:*` into versions) and published to a verdaccio of our own; then npm, with
 * scratch settings, cache and HOME, installs from it into empty folders and we run what it
 * installed. Nothing is built here: turbo builds every package before this test runs.
 */

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const LIBRARIES = ['@taskmaster/protocol', '@taskmaster/store', '@taskmaster/watcher', '@taskmaster/team', '@taskmaster/server', '@taskmaster/client'];
const CLI = '@taskmaster/cli';
/** The real Task Master project file the README's quick start is run on (read-only: its bytes are copied). */
const FIXTURE = resolve(REPO, '..', 'shared', 'fixtures', 'taskmaster-repo-tasks.json');
const INSTALL_TIMEOUT_MS = 150_000;

interface WorkspacePackage {
  name: string;
  version: string;
  path: string;
  private: boolean;
}

let tmp = '';
let registry: LocalRegistry | undefined;
let npmrc = '';
let env: NodeJS.ProcessEnv = {};
let workspace: WorkspacePackage[] = [];
/** The global prefix the CLI is installed into, as `npm install -g` would on a user's machine. */
let prefix = '';
/** Projects whose server a test started, stopped again in afterAll if a test failed midway. */
const projects: string[] = [];

function npm(args: string[], cwd: string, timeoutMs = INSTALL_TIMEOUT_MS): Promise<RunResult> {
  return run('npm', [...args, '--registry', registry!.url, '--userconfig', npmrc, '--no-audit', '--no-fund'], { cwd, env, timeoutMs });
}

function taskmaster(args: string[], cwd: string): Promise<RunResult> {
  return run('taskmaster', args, { cwd, env, timeoutMs: 30_000 });
}

const HTTP_CACHE_KEY = 'make-fetch-happen:request-cache:';

/**
 * Every URL npm fetched so far, read from its scratch cache's index (npm caches each
 * packument and tarball under its URL). Global installs keep no lockfile; this covers them,
 * and every request besides.
 */
async function fetchedUrls(): Promise<string[]> {
  const index = join(tmp, 'npm-cache', '_cacache', 'index-v5');
  const urls: string[] = [];
  for (const entry of await readdir(index, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    for (const line of (await readFile(join(entry.parentPath, entry.name), 'utf8')).split('\n')) {
      const json = line.slice(line.indexOf('\t') + 1);
      if (!json) continue;
      // Other keys are local (pacote's entries for the tarballs published from disk).
      const key = (JSON.parse(json) as { key: string }).key;
      if (key.startsWith(HTTP_CACHE_KEY)) urls.push(key.slice(HTTP_CACHE_KEY.length));
    }
  }
  return urls;
}

/** Everything npm downloaded came from the local registry: never the public one, for any package. */
async function expectOnlyLocalFetches(): Promise<void> {
  const urls = await fetchedUrls();
  expect(urls.length).toBeGreaterThan(0);
  expect(urls.filter((url) => !url.startsWith(registry!.url))).toEqual([]);
}

async function newProject(name: string): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(dir);
  await taskmaster(['init'], dir);
  return dir;
}

async function startServer(project: string): Promise<void> {
  projects.push(project);
  const started = await taskmaster(['sync', 'server', 'start', '--port', '0', '--http-port', '0'], project);
  expect(started.stdout).toContain('Started sync server');
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'taskmaster-registry-'));
  const listed = await run('pnpm', ['ls', '-r', '--depth', '-1', '--json'], { cwd: REPO, env: process.env });
  workspace = (JSON.parse(listed.stdout) as WorkspacePackage[]).filter((p) => !p.private);
  expect(workspace.map((p) => p.name).sort()).toEqual([CLI, ...LIBRARIES].sort());
  for (const p of workspace) {
    if (!existsSync(join(p.path, 'dist'))) throw new Error(`${p.name} is not built: run this test through turbo (pnpm test), which builds first`);
  }

  // Third-party packages come through verdaccio from the registry this machine's npm uses.
  const upstream = (await run('npm', ['config', 'get', 'registry'], { cwd: tmp, env: process.env })).stdout.trim();
  expect(upstream).toMatch(/^https?:\/\//);
  registry = await startLocalRegistry(join(tmp, 'verdaccio'), upstream);
  // A 404 for a third-party package later would not say why: ask once, now, through the uplink.
  const probe = await fetch(new URL('ws', registry.url));
  if (!probe.ok) {
    throw new Error(
      `verdaccio cannot fetch third-party packages from ${upstream} (${probe.status}); a proxy or CA setting ` +
        `(HTTPS_PROXY, NODE_EXTRA_CA_CERTS) missing from this process? turbo.json passes those through.\n${registry.log()}`,
    );
  }
  const token = await registry.addUser('taskmaster-ci', randomBytes(12).toString('hex'));

  // Scratch settings: nothing of this machine's npm setup or cache takes part.
  const host = registry.url.replace(/^https?:/, '');
  npmrc = join(tmp, 'npmrc');
  await writeFile(npmrc, [`registry=${registry.url}`, `@taskmaster:registry=${registry.url}`, `${host}:_authToken=${token}`, 'update-notifier=false', ''].join('\n'));
  await writeFile(join(tmp, 'npmrc-global'), '');
  await mkdir(join(tmp, 'home'));
  prefix = join(tmp, 'global');
  env = cleanEnv({
    HOME: join(tmp, 'home'),
    npm_config_userconfig: npmrc,
    npm_config_globalconfig: join(tmp, 'npmrc-global'),
    npm_config_cache: join(tmp, 'npm-cache'),
    PATH: [join(prefix, 'bin'), dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
  });

  // pnpm pack, not npm pack: it is what rewrites workspace:* to the versions being published.
  const tarballs = join(tmp, 'tarballs');
  await mkdir(tarballs);
  for (const p of workspace) {
    const packed = await run('pnpm', ['pack', '--pack-destination', tarballs, '--json'], { cwd: p.path, env: process.env });
    const { filename } = JSON.parse(packed.stdout) as { filename: string };
    await npm(['publish', resolve(tarballs, filename)], tmp);
  }

  await npm(['install', '-g', '--prefix', prefix, CLI], tmp);
});

afterAll(async () => {
  for (const project of projects) await taskmaster(['sync', 'server', 'stop'], project).catch(() => undefined);
  await registry?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('installed from a registry, as a user would', () => {
  it('the CLI is one package: npm install -g brings nothing else of ours, and it runs init, server start, list, stop', async () => {
    const installed = join(prefix, 'lib', 'node_modules');
    const manifestText = await readFile(join(installed, CLI, 'package.json'), 'utf8');
    expect(manifestText).not.toContain('workspace:');
    const manifest = JSON.parse(manifestText) as { version: string; dependencies?: Record<string, string> };
    expect(manifest.version).toBe(workspace.find((p) => p.name === CLI)!.version);
    expect(Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@taskmaster/'))).toEqual([]);
    expect(await readdir(join(installed, '@taskmaster'))).toEqual(['cli']);
    expect(existsSync(join(installed, CLI, 'node_modules', '@taskmaster'))).toBe(false);
    await expectOnlyLocalFetches();

    const project = await newProject('cli-project');
    expect(existsSync(join(project, '.taskmaster', 'tasks', 'tasks.json'))).toBe(true);
    await startServer(project);
    const added = await taskmaster(['add-task', '--title', 'Installed from a registry', '--verbose'], project);
    expect(added.stdout + added.stderr).toContain('via server');
    const listed = JSON.parse((await taskmaster(['list', '--json'], project)).stdout) as { tag: string; tasks: { title: string }[] };
    expect(listed.tag).toBe('master');
    expect(listed.tasks.map((t) => t.title)).toEqual(['Installed from a registry']);
    const stopped = await taskmaster(['sync', 'server', 'stop'], project);
    expect(stopped.stdout).toContain('Stopped sync server');
    expect(existsSync(join(project, '.taskmaster', 'config', 'connection.json'))).toBe(false);
  });

  it("npm install @taskmaster/client, then the README's example runs as ESM and as CommonJS against the installed CLI's server", async () => {
    const app = join(tmp, 'client-user');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'client-user', version: '1.0.0', private: true }));
    await npm(['install', '@taskmaster/client'], app);
    const protocol = JSON.parse(await readFile(join(app, 'node_modules', '@taskmaster', 'protocol', 'package.json'), 'utf8')) as { version: string };
    expect(protocol.version).toBe(workspace.find((p) => p.name === '@taskmaster/protocol')!.version);
    await expectOnlyLocalFetches();

    // The README's example as written, and the same lines as CommonJS (no top-level await there).
    const readme = await readFile(join(REPO, 'packages', 'client', 'README.md'), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    const importLine = "import { createClient } from '@taskmaster/client';";
    expect(example).toContain(importLine);
    await writeFile(join(app, 'example.mjs'), example);
    const body = example.replace(importLine, '');
    await writeFile(
      join(app, 'example.cjs'),
      `const { createClient } = require('@taskmaster/client');\n(async () => {\n${body}\n})().catch((err) => {\n  console.error(err);\n  process.exitCode = 1;\n});\n`,
    );

    // Run from the project folder, as a tool would (the example connects to process.cwd()).
    const project = await newProject('client-project');
    await startServer(project);
    const esm = await run(process.execPath, [join(app, 'example.mjs')], { cwd: project, env, timeoutMs: 30_000 });
    expect(esm.stderr).toBe('');
    expect(esm.stdout).toContain('mode: realtime');
    expect(esm.stdout).toContain('task 1 is now in-progress');
    expect(esm.stdout).toContain('1 tasks in master');
    const cjs = await run(process.execPath, [join(app, 'example.cjs')], { cwd: project, env, timeoutMs: 30_000 });
    expect(cjs.stderr).toBe('');
    expect(cjs.stdout).toContain('mode: realtime');
    expect(cjs.stdout).toContain('task 2 is now in-progress');
    expect(cjs.stdout).toContain('2 tasks in master');

    const listed = JSON.parse((await taskmaster(['list', '--json'], project)).stdout) as { tasks: { title: string; status: string }[] };
    expect(listed.tasks.map((t) => [t.title, t.status])).toEqual([
      ['Try the client', 'in-progress'],
      ['Try the client', 'in-progress'],
    ]);
    await taskmaster(['sync', 'server', 'stop'], project);
  });

  it('every library installs alone and loads as ESM and as CommonJS, with the types its exports name', async () => {
    const app = join(tmp, 'library-user');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'library-user', version: '1.0.0', private: true }));
    await npm(['install', ...LIBRARIES], app);
    await expectOnlyLocalFetches();

    const entries: string[] = [];
    const esmOnly: string[] = [];
    for (const name of LIBRARIES) {
      const dir = join(app, 'node_modules', name);
      const text = await readFile(join(dir, 'package.json'), 'utf8');
      expect(text, name).not.toContain('workspace:');
      expect(existsSync(join(dir, 'README.md')), `${name} README.md`).toBe(true);
      const manifest = JSON.parse(text) as { exports: Record<string, string | Record<string, string | Record<string, string>>> };
      for (const [subpath, target] of Object.entries(manifest.exports)) {
        if (typeof target === 'string') continue;
        const entry = subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
        if (!('import' in target)) {
          // An ESM-only entry (the client's browser build): its files are there and it loads as ESM.
          for (const key of ['types', 'default']) expect(existsSync(join(dir, target[key] as string)), `${name} ${subpath} ${key}`).toBe(true);
          esmOnly.push(entry);
          continue;
        }
        entries.push(entry);
        for (const condition of ['import', 'require']) {
          const files = target[condition] as Record<string, string>;
          for (const key of ['types', 'default']) expect(existsSync(join(dir, files[key]!)), `${name} ${subpath} ${condition}.${key}`).toBe(true);
        }
      }
    }
    // One process loads every entry both ways and reports how many names each exports.
    await writeFile(
      join(app, 'load.mjs'),
      `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const out = {};
for (const entry of ${JSON.stringify(entries)}) {
  out[entry] = [Object.keys(await import(entry)).length, Object.keys(require(entry)).length];
}
for (const entry of ${JSON.stringify(esmOnly)}) out[entry] = [Object.keys(await import(entry)).length, 1];
console.log(JSON.stringify(out));
`,
    );
    const loaded = await run(process.execPath, [join(app, 'load.mjs')], { cwd: app, env, timeoutMs: 30_000 });
    const counts = JSON.parse(loaded.stdout) as Record<string, [number, number]>;
    expect(Object.keys(counts).sort()).toEqual([...entries, ...esmOnly].sort());
    expect(esmOnly).toEqual(['@taskmaster/client/browser']);
    for (const [entry, [esm, cjs]] of Object.entries(counts)) {
      expect(esm, entry).toBeGreaterThan(0);
      expect(cjs, entry).toBeGreaterThan(0);
    }
  });

  it("runs the root README's quick start word for word on a Task Master project: link the CLI, start, list, the extension, stop", async () => {
    const readme = await readFile(join(REPO, 'README.md'), 'utf8');
    const block = /## Quick start[^\n]*\n+```bash\n([\s\S]*?)\n```/.exec(readme)![1]!;
    const lines = block.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim());
    expect(lines).toHaveLength(6);

    // 1. Build and link: the build is turbo's (it ran before this test); the link is run here.
    const linkArg = /npm install -g (\.\/apps\/cli)$/.exec(lines[0]!)?.[1];
    expect(linkArg, lines[0]).toBe('./apps/cli');
    expect(lines[0]).toMatch(/^npm install -g pnpm@[\d.]+ && pnpm install --frozen-lockfile && pnpm build && npm install -g \.\/apps\/cli$/);
    const linkedPrefix = join(tmp, 'linked');
    await npm(['install', '-g', '--prefix', linkedPrefix, linkArg!], REPO);
    expect(await realpath(join(linkedPrefix, 'lib', 'node_modules', CLI))).toBe(await realpath(join(REPO, 'apps', 'cli')));
    const linkedEnv = { ...env, PATH: [join(linkedPrefix, 'bin'), env.PATH].join(delimiter) };
    const version = await run('taskmaster', ['--version'], { cwd: tmp, env: linkedEnv });
    expect(version.stdout.trim()).toBe(workspace.find((p) => p.name === CLI)!.version);

    // 2. A Task Master project as Task Master leaves it: tasks.json and state.json, nothing of ours.
    expect(lines[1]).toMatch(/^cd \S+$/);
    const project = join(tmp, 'my-project');
    await mkdir(join(project, '.taskmaster', 'tasks'), { recursive: true });
    await writeFile(join(project, '.taskmaster', 'tasks', 'tasks.json'), await readFile(FIXTURE));
    await writeFile(join(project, '.taskmaster', 'state.json'), JSON.stringify({ currentTag: 'master' }, null, 2));
    // The only thing the user does not have: other suites (VS Code's) run beside this one on the default ports.
    await mkdir(join(project, '.taskmaster', 'config'));
    await writeFile(join(project, '.taskmaster', 'config', 'sync.json'), JSON.stringify({ port: 0, httpPort: 0 }));

    // 3–6, as written.
    const words = (line: string) => line.split(/\s+/);
    projects.push(project);
    const [start, list, install, stop] = lines.slice(2);
    expect(words(start!)[0]).toBe('taskmaster');
    const started = await run('taskmaster', words(start!).slice(1), { cwd: project, env: linkedEnv, timeoutMs: 30_000 });
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toContain('Started sync server');
    const listed = await run('taskmaster', words(list!).slice(1), { cwd: project, env: linkedEnv, timeoutMs: 30_000 });
    expect(listed.code, listed.stderr).toBe(0);
    const fixture = JSON.parse(await readFile(FIXTURE, 'utf8')) as { master: { tasks: Array<{ title: string }> } };
    expect(listed.stdout).toContain(fixture.master.tasks[0]!.title.slice(0, 30));
    // The extension line names a file of this clone, built by turbo: VS Code itself is tested in apps/vscode-extension.
    const vsix = /^code --install-extension <this clone>\/(\S+\.vsix)$/.exec(install!)?.[1];
    expect(vsix, install).toBeDefined();
    expect(existsSync(join(REPO, vsix!))).toBe(true);
    const stopped = await run('taskmaster', words(stop!).slice(1), { cwd: project, env: linkedEnv, timeoutMs: 30_000 });
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(existsSync(join(project, '.taskmaster', 'config', 'connection.json'))).toBe(false);
  });
});
