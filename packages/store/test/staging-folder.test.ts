import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, storePaths } from '../src/index.js';
import { cleanup, filesIn, fixtureProject, tempFilesLeft, tempProject } from './helpers.js';

afterEach(cleanup);

const small = { master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } };
const tasksDirOf = (project: { root: string }) => storePaths(project.root).tasksDir;
const stagingOf = (project: { root: string }) => storePaths(project.root).stagingDir;

/** The names `fs.watch` reports in `dir` while `run` runs (and a moment after, for late events). */
async function namesSeenIn(dir: string, run: () => Promise<unknown>): Promise<string[]> {
  const names: string[] = [];
  const watcher = fs.watch(dir, (_event, name) => names.push(String(name)));
  try {
    await run();
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    watcher.close();
  }
  return names;
}

/** A file's mtime set `ms` in the past. */
function agedBy(file: string, ms: number): void {
  const past = new Date(Date.now() - ms);
  fs.utimesSync(file, past, past);
}

describe('the temp files of tasks.json writes', () => {
  it('are made in tasks/.staging: a watcher of tasks/ sees tasks.json replaced and never a temp file, and none is left', async () => {
    const project = fixtureProject();
    const store = await openStore(project.root);
    await store.read();
    const names = await namesSeenIn(tasksDirOf(project), async () => {
      for (const title of ['first', 'second', 'third']) await store.update(1, { title }, { tag: 'master' });
    });
    expect(names).toContain('tasks.json');
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(fs.lstatSync(stagingOf(project)).isDirectory()).toBe(true);
    expect(filesIn(stagingOf(project))).toEqual([]);
    expect(tempFilesLeft(project.root)).toEqual([]);
    expect(JSON.parse(fs.readFileSync(project.tasksFile, 'utf8')).master.tasks[0].title).toBe('third');
  });

  it('go beside tasks.json when tasks/.staging is a link a cloned project holds: nothing is written through it, and the write succeeds', async () => {
    const project = tempProject(small);
    const elsewhere = path.join(tempProject().root, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.symlinkSync(elsewhere, stagingOf(project));
    const store = await openStore(project.root);
    const names = await namesSeenIn(tasksDirOf(project), () => store.setStatus([1], 'done', { tag: 'master' }));
    // Beside the file, where a watcher of tasks/ sees it: what the staging folder spares it.
    expect(names.some((n) => n.endsWith('.tmp'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(project.tasksFile, 'utf8')).master.tasks[0].status).toBe('done');
    expect(filesIn(elsewhere)).toEqual([]);
    expect(fs.lstatSync(stagingOf(project)).isSymbolicLink()).toBe(true);
    expect(tempFilesLeft(project.root)).toEqual([]);
  });

  it('left by a killed writer are removed from tasks/.staging when a store opens once a minute old, and never through a link', async () => {
    const project = tempProject(small);
    const staging = stagingOf(project);
    fs.mkdirSync(staging);
    const stale = path.join(staging, '.tasks.json.4242.1.tmp');
    const fresh = path.join(staging, '.tasks.json.4242.2.tmp');
    const notOurs = path.join(staging, 'notes.tmp');
    for (const file of [stale, fresh, notOurs]) fs.writeFileSync(file, '{"half": ');
    agedBy(stale, 120_000);
    agedBy(notOurs, 120_000);
    await openStore(project.root);
    expect(filesIn(staging).sort()).toEqual(['.tasks.json.4242.2.tmp', 'notes.tmp']);

    // The same names, old enough, behind a planted link: left where they are.
    const other = tempProject(small);
    const elsewhere = path.join(tempProject().root, 'elsewhere');
    fs.mkdirSync(elsewhere);
    const victim = path.join(elsewhere, '.tasks.json.4242.1.tmp');
    fs.writeFileSync(victim, 'keep me');
    agedBy(victim, 120_000);
    fs.symlinkSync(elsewhere, stagingOf(other));
    await openStore(other.root);
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep me');
  });
});
