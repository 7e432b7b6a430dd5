import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, makeProject, readTasks, run, runJson, startDaemon, tasksFile } from './helpers.js';

// Task Master's verbs that need no AI, with its spellings, run as a user runs them.

afterEach(cleanUp);

/** A project with tasks 1 (done), 2 (pending, depends on 1), 3 (pending, depends on 2). */
async function smallProject(): Promise<string> {
  const dir = await makeProject();
  for (const [title, deps] of [['One', ''], ['Two', '1'], ['Three', '2']] as const) {
    const r = await run(['add-task', '-t', title, ...(deps ? ['--dependencies', deps] : [])], dir);
    expect(r.code, r.stderr).toBe(0);
  }
  expect((await run(['set-status', '1', 'done'], dir)).code).toBe(0);
  return dir;
}

const master = (dir: string) => readTasks(dir).master.tasks as any[];
const byId = (dir: string, id: number) => master(dir).find((t) => t.id === id);

/** Both routes: without a server (the file directly) and through a running one. */
const ROUTES = [
  { name: 'without a server', setup: async (_dir: string) => {} },
  { name: 'through a running server', setup: async (dir: string) => void (await startDaemon(dir)) },
];

describe("Task Master's spellings of existing verbs", () => {
  it('set-status takes positionals, -i/-s and the alias status', async () => {
    const dir = await smallProject();
    const r = await run(['set-status', '2', 'in-progress'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('task 2: pending → in-progress');
    expect((await run(['status', '2,3', 'review'], dir)).code).toBe(0);
    expect((await run(['set-status', '-i', '3', '-s', 'deferred'], dir)).code).toBe(0);
    expect(master(dir).map((t) => t.status)).toEqual(['done', 'review', 'deferred']);
  });

  it('add-task takes -t and -d; remove-task takes several ids', async () => {
    const dir = await smallProject();
    const added = await runJson(['add-task', '-t', 'Four', '-d', 'the fourth'], dir);
    expect(byId(dir, Number(added.id))).toMatchObject({ title: 'Four', description: 'the fourth' });
    const removed = await run(['remove-task', '-i', '3,4', '-y'], dir);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/Removed task 3/);
    expect(removed.stdout).toMatch(/Removed task 4/);
    expect(master(dir).map((t) => t.id)).toEqual([1, 2]);
  });

  it('show takes several ids, -i, and filters subtasks with -s', async () => {
    const dir = await makeProject({ fixture: true });
    const [a, b] = master(dir);
    const both = await runJson(['show', `${a.id},${b.id}`], dir);
    expect(both.tasks.map((t: any) => t.task.title)).toEqual([a.title, b.title]);
    expect(both.notFound).toEqual([]);
    const human = await run(['show', '-i', `${a.id},${b.id}`], dir);
    expect(human.stdout).toContain(`Task ${a.id}: ${a.title}`);
    expect(human.stdout).toContain(`Task ${b.id}: ${b.title}`);
    const missing = await run(['show', `${a.id},99999`], dir);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(a.title);
    expect(missing.stderr).toContain('not found in tag "master": 99999');

    const parent = master(dir).find((t) => new Set((t.subtasks ?? []).map((s: any) => s.status ?? 'pending')).size > 1);
    const status = parent.subtasks[0].status ?? 'pending';
    const filtered = await run(['show', String(parent.id), '-s', status], dir);
    const lines = filtered.stdout.split('\n').filter((l) => l.startsWith(`  ${parent.id}.`));
    expect(lines.length).toBe(parent.subtasks.filter((s: any) => (s.status ?? 'pending') === status).length);
  });

  it('list takes the status as positional, -s, -t, all, --ready, --blocking, -c, -f json and --silent', async () => {
    const dir = await makeProject({ fixture: true });
    const file = readTasks(dir);
    const pending = file.master.tasks.filter((t: any) => t.status === 'pending').length;
    expect((await runJson(['list', 'pending'], dir)).tasks.length).toBe(pending);
    expect((await runJson(['ls', '-s', 'pending'], dir)).tasks.length).toBe(pending);
    const tag = Object.keys(file).find((t) => t !== 'master')!;
    expect((await runJson(['list', '-t', tag], dir)).tag).toBe(tag);
    const viaFormat = await run(['list', '-f', 'json'], dir);
    expect(JSON.parse(viaFormat.stdout).tasks.length).toBe(file.master.tasks.length);

    const all = await run(['list', 'all'], dir);
    const withSub = file.master.tasks.find((t: any) => t.subtasks?.length);
    expect(all.stdout).toContain(`${withSub.id}.${withSub.subtasks[0].id}`);

    const compact = await run(['list', '-c', 'done'], dir);
    const done = file.master.tasks.filter((t: any) => t.status === 'done');
    expect(compact.stdout.trim().split('\n')).toHaveLength(done.length);
    expect(compact.stdout).toContain(`${done[0].id} ✓ ${done[0].title}`);

    // Ready: not done, every dependency done.
    const doneIds = new Set(done.map((t: any) => String(t.id)));
    const ready = await runJson(['list', '--ready'], dir);
    expect(ready.tasks.length).toBeGreaterThan(0);
    for (const t of ready.tasks) for (const d of t.dependencies ?? []) expect(doneIds.has(String(d))).toBe(true);

    // Blocking: tasks some other task depends on.
    const dependedOn = new Set(file.master.tasks.flatMap((t: any) => (t.dependencies ?? []).map(String)));
    const blocking = await runJson(['list', '--blocking'], dir);
    expect(blocking.tasks.map((t: any) => String(t.id)).sort()).toEqual(file.master.tasks.map((t: any) => String(t.id)).filter((id: string) => dependedOn.has(id)).sort());

    const silent = await run(['list', '--silent'], dir);
    expect(silent.code).toBe(0);
    expect(silent.stdout).toBe('');
  });

  it('list --all-tags lists every tag of the real file', async () => {
    const dir = await makeProject({ fixture: true });
    const file = readTasks(dir);
    const listed = await runJson(['list', '--all-tags'], dir);
    expect(listed.tags.map((t: any) => t.tag).sort()).toEqual(Object.keys(file).sort());
    for (const { tag, tasks } of listed.tags) expect(tasks.length).toBe(file[tag].tasks.length);
    const human = await run(['list', '--all-tags', '--no-header'], dir);
    expect(human.stdout.split('\n')[0]).toMatch(/^TAG\s+ID\s+STATUS/);
    const total = Object.values(file).reduce((n: number, t: any) => n + t.tasks.length, 0);
    expect(human.stdout.trim().split('\n')).toHaveLength(total + 1);
    const both = await run(['list', '--all-tags', '--tag', 'master'], dir);
    expect(both.code).toBe(1);
  });

  it('list refuses an unknown status or tag and names the valid ones', async () => {
    const dir = await makeProject({ fixture: true });
    const before = readFileSync(path.join(dir, '.taskmaster/tasks/tasks.json'), 'utf8');
    const status = await run(['list', '--status', 'bogus'], dir);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/^error: invalid status "bogus"; use one of pending, in-progress, done/m);
    const positional = await run(['list', 'bogus'], dir);
    expect(positional.stderr).toContain('invalid status "bogus"');
    const tag = await run(['list', '--tag', 'nosuchtag'], dir);
    expect(tag.code).toBe(1);
    expect(tag.stderr).toMatch(/^error: tag "nosuchtag" does not exist; tags: master, /m);
    expect(tag.stderr).toContain("taskmaster add-tag");
    expect(tag.stderr).not.toMatch(/error -?\d+/);
    // state.json naming a tag another program deleted: the way back is to switch.
    writeFileSync(path.join(dir, '.taskmaster/state.json'), JSON.stringify({ currentTag: 'gone' }));
    const gone = await run(['list'], dir);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error: tag "gone" does not exist; tags: master, .* switch with 'taskmaster use-tag <name>'/m);
    const format = await run(['list', '-f', 'yaml'], dir);
    expect(format.code).toBe(1);
    expect(format.stderr).toContain('use one of text, json, compact');
    expect(readFileSync(path.join(dir, '.taskmaster/tasks/tasks.json'), 'utf8')).toBe(before);
  });

  it('takes -p/--project for the project root', async () => {
    const dir = await smallProject();
    const r = await run(['list', '-p', dir, '--json'], path.dirname(dir));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).tasks).toHaveLength(3);
  });
});

describe.each(ROUTES)('new verbs $name', ({ setup }) => {
  it('next picks the ready task; says so when none is', async () => {
    const dir = await smallProject();
    await setup(dir);
    const next = await runJson(['next'], dir);
    expect(next.next).toMatchObject({ id: '2', task: { title: 'Two' } });
    const human = await run(['next'], dir);
    expect(human.stdout).toContain('Next task: 2 Two');
    expect(human.stdout).toContain('taskmaster set-status 2 in-progress');
    await run(['set-status', '2,3', 'done'], dir);
    const none = await run(['next'], dir);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No task is ready');
    expect((await runJson(['next'], dir)).next).toBeNull();
  });

  it('add-subtask creates a subtask and converts a task; remove-subtask deletes and converts back', async () => {
    const dir = await smallProject();
    await setup(dir);
    const created = await run(['add-subtask', '--parent=2', '--title=Sub A', '-d', 'first part', '-s', 'in-progress'], dir);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Created subtask 2.1: Sub A');
    expect(byId(dir, 2).subtasks[0]).toMatchObject({ id: 1, title: 'Sub A', description: 'first part', status: 'in-progress' });

    const converted = await run(['add-subtask', '-p', '2', '-i', '3'], dir);
    expect(converted.code, converted.stderr).toBe(0);
    expect(converted.stdout).toContain('task 3 is now subtask 2.2');
    expect(master(dir).map((t) => t.id)).toEqual([1, 2]);
    expect(byId(dir, 2).subtasks.map((s: any) => s.title)).toEqual(['Sub A', 'Three']);

    const back = await run(['remove-subtask', '--id=2.2', '--convert'], dir);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/Converted subtask 2\.2 to task \d+/);
    expect(master(dir).map((t) => t.title)).toContain('Three');

    const removed = await run(['remove-subtask', '-i', '2.1'], dir);
    expect(removed.stdout).toContain('Removed subtask 2.1');
    expect(byId(dir, 2).subtasks ?? []).toEqual([]);
  });

  it('clear-subtasks clears some tasks or all', async () => {
    const dir = await smallProject();
    await setup(dir);
    for (const parent of ['2', '2', '3']) expect((await run(['add-subtask', '-p', parent, '-t', 'S'], dir)).code).toBe(0);
    const some = await run(['clear-subtasks', '--id=2'], dir);
    expect(some.code, some.stderr).toBe(0);
    expect(some.stdout).toContain('Cleared 2 subtasks from task 2');
    expect(byId(dir, 2).subtasks ?? []).toEqual([]);
    expect(byId(dir, 3).subtasks).toHaveLength(1);
    const all = await runJson(['clear-subtasks', '--all'], dir);
    expect(all.cleared.find((c: any) => c.id === '3')).toMatchObject({ count: 1 });
    expect(master(dir).every((t) => (t.subtasks ?? []).length === 0)).toBe(true);
  });

  it('add-dependency / remove-dependency with --id/--depends-on and -i/-d', async () => {
    const dir = await smallProject();
    await setup(dir);
    const added = await run(['add-dependency', '--id=3', '--depends-on=1'], dir);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('task 3 now depends on 1');
    expect(byId(dir, 3).dependencies).toEqual([1, 2]); // sorted, as Task Master writes them
    const removed = await run(['remove-dependency', '-i', '3', '-d', '2'], dir);
    expect(removed.code, removed.stderr).toBe(0);
    expect(byId(dir, 3).dependencies).toEqual([1]);
    const unknown = await run(['add-dependency', '--id=3', '--depends-on=99'], dir);
    expect(unknown.code).toBe(1);
    expect(byId(dir, 3).dependencies).toEqual([1]);
  });

  it('validate-dependencies reports, fix-dependencies removes', async () => {
    const dir = await smallProject();
    // A dependency on a task that does not exist, written as another tool would.
    const file = readTasks(dir);
    file.master.tasks[2].dependencies = [2, 42];
    writeFileSync(path.join(dir, '.taskmaster/tasks/tasks.json'), JSON.stringify(file, null, 2));
    await setup(dir);
    const report = await run(['validate-dependencies'], dir);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('task 3 depends on 42, which does not exist');
    expect((await runJson(['validate-dependencies'], dir)).problems).toEqual([{ id: '3', dependsOn: '42', problem: 'missing' }]);
    const fixed = await run(['fix-dependencies'], dir);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain('removed: task 3 depends on 42');
    expect(byId(dir, 3).dependencies).toEqual([2]);
    expect((await run(['validate-dependencies'], dir)).stdout).toContain('All dependencies are valid');
  });

  it('move within a tag and to another tag', async () => {
    const dir = await smallProject();
    await setup(dir);
    const within = await run(['move', '--from=3', '--to=7'], dir);
    expect(within.code, within.stderr).toBe(0);
    expect(within.stdout).toContain('Moved task 3 → 7');
    expect(master(dir).map((t) => t.id)).toEqual([1, 2, 7]);
    const before = readFileSync(tasksFile(dir), 'utf8');
    const nowhere = await run(['move', '--from=7', '--to=7'], dir);
    expect(nowhere.code, nowhere.stderr).toBe(0);
    expect(nowhere.stdout).toContain('Task 7 is already 7: nothing moved');
    expect(readFileSync(tasksFile(dir), 'utf8')).toBe(before);
    // As in Task Master, a move to a tag that does not exist yet creates it.
    const across = await run(['move', '--from=7', '--to-tag=backlog', '--ignore-dependencies'], dir);
    expect(across.code, across.stderr).toBe(0);
    expect(across.stdout).toContain('Moved task 7 to tag backlog');
    expect(master(dir).map((t) => t.id)).toEqual([1, 2]);
    expect(readTasks(dir).backlog.tasks.map((t: any) => t.title)).toEqual(['Three']);
  });

  it('tags, add-tag, use-tag, rename-tag, copy-tag, delete-tag', async () => {
    const dir = await smallProject();
    await setup(dir);
    const added = await run(['add-tag', 'feature-x', '-d', 'Login work'], dir);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('Created tag feature-x');
    const copied = await run(['add-tag', 'sprint', '--copy-from-current'], dir);
    expect(copied.stdout).toContain('Created tag sprint with 3 tasks');
    expect(readTasks(dir).sprint.tasks.map((t: any) => t.title)).toEqual(['One', 'Two', 'Three']);

    const tags = await run(['tags', '--show-metadata'], dir);
    expect(tags.stdout).toMatch(/● master \(current\)\s+3\s+1\s+1/);
    expect(tags.stdout).toMatch(/feature-x\s+0\s+0\s+0\s+Login work/);
    const json = await runJson(['tags'], dir);
    expect(json.current).toBe('master');
    expect(json.tags.map((t: any) => t.name)).toEqual(['master', 'feature-x', 'sprint']);
    expect((await runJson(['tags', '--ready'], dir)).tags.map((t: any) => t.name)).toEqual(['master', 'sprint']);

    const used = await run(['use-tag', 'feature-x'], dir);
    expect(used.code, used.stderr).toBe(0);
    expect(used.stdout).toContain('Switched to tag feature-x');
    expect((await runJson(['list'], dir)).tag).toBe('feature-x');
    const state = JSON.parse(readFileSync(path.join(dir, '.taskmaster/state.json'), 'utf8'));
    expect(state.currentTag).toBe('feature-x');

    expect((await run(['rename-tag', 'sprint', 'sprint-1'], dir)).stdout).toMatch(/Renamed tag sprint → sprint-1\n$/);
    // The current tag, renamed, stays current under its new name, as with Task Master.
    expect((await run(['rename-tag', 'feature-x', 'feature-y'], dir)).stdout).toContain('Renamed tag feature-x → feature-y (still the current tag)');
    expect(JSON.parse(readFileSync(path.join(dir, '.taskmaster/state.json'), 'utf8')).currentTag).toBe('feature-y');
    expect((await runJson(['list'], dir)).tag).toBe('feature-y');
    expect((await run(['copy-tag', 'sprint-1', 'sprint-2', '-d', 'next one'], dir)).stdout).toContain('Copied tag sprint-1 to sprint-2 (3 tasks)');
    expect(readTasks(dir)['sprint-2'].tasks).toHaveLength(3);

    // Not on a terminal: a tag with tasks needs --yes; an empty one does not.
    const refused = await run(['delete-tag', 'sprint-2'], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('pass --yes');
    expect(readTasks(dir)['sprint-2']).toBeDefined();
    expect((await run(['delete-tag', 'sprint-2', '-y'], dir)).stdout).toContain('Deleted tag sprint-2 and its 3 tasks');
    expect((await run(['use-tag', 'master'], dir)).code).toBe(0);
    expect((await run(['delete-tag', 'feature-y'], dir)).code).toBe(0);
    expect(Object.keys(readTasks(dir)).sort()).toEqual(['master', 'sprint-1']);

    const missing = await run(['use-tag', 'nosuchtag'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('tag "nosuchtag" does not exist');
  });
});

describe("Task Master's tags subcommands and --from-branch", () => {
  it('tags add|use|rename|copy|remove|list are the tag verbs', async () => {
    const dir = await smallProject();
    expect((await run(['tags', 'add', 'a', '--description', 'A'], dir)).code).toBe(0);
    expect((await run(['tags', 'copy', 'master', 'b'], dir)).code).toBe(0);
    expect((await run(['tags', 'rename', 'a', 'c'], dir)).code).toBe(0);
    expect((await run(['tags', 'use', 'b'], dir)).code).toBe(0);
    expect((await run(['tags', 'remove', 'c', '-y'], dir)).code).toBe(0);
    const listed = await runJson(['tags', 'list'], dir);
    expect(listed).toMatchObject({ current: 'b' });
    expect(listed.tags.map((t: any) => t.name)).toEqual(['b', 'master']);
  });

  it('add-tag --from-branch names the tag after the branch in .git/HEAD', async () => {
    const dir = await smallProject();
    const noGit = await run(['add-tag', '--from-branch'], dir);
    expect(noGit.code).toBe(1);
    expect(noGit.stderr).toContain('not in a git repository');
    mkdirSync(path.join(dir, '.git'));
    writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref: refs/heads/feature/Login-Page\n');
    const r = await run(['add-tag', '--from-branch'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Created tag feature-login-page');
    expect(readTasks(dir)['feature-login-page'].metadata.description).toBe('Tag created from git branch "feature/Login-Page"');
    writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    expect((await run(['add-tag', '--from-branch'], dir)).stderr).toContain('branch "main" cannot be turned into a tag name');
  });

  it('refuses bad arguments before touching the file', async () => {
    const dir = await smallProject();
    const before = readFileSync(path.join(dir, '.taskmaster/tasks/tasks.json'), 'utf8');
    const cases: string[][] = [
      ['add-subtask', '--title', 'x'],
      ['add-subtask', '-p', '2', '-t', 'x', '-i', '3'],
      ['remove-subtask', '--id', '3'],
      ['clear-subtasks'],
      ['add-dependency', '--id', '3'],
      ['move', '--from', '1,2', '--to', '5'],
      ['add-tag'],
      ['add-tag', 'x', '--copy-from-current', '--copy-from', 'master'],
      ['rename-tag', 'master'],
      ['set-status', '1', 'finished'],
    ];
    for (const args of cases) {
      const r = await run(args, dir);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(/^error: .*\nusage: taskmaster /m);
    }
    expect(readFileSync(path.join(dir, '.taskmaster/tasks/tasks.json'), 'utf8')).toBe(before);
  });
});

describe('new verbs on the real file', () => {
  it('next, tags and validate-dependencies agree with the file', async () => {
    const dir = await makeProject({ fixture: true });
    const file = readTasks(dir);
    const next = await runJson(['next'], dir);
    expect(next.tag).toBe('master');
    if (next.next) expect(['pending', 'in-progress']).toContain(next.next.task.status ?? 'pending');
    const tags = await runJson(['tags'], dir);
    expect(tags.tags.map((t: any) => t.name).sort()).toEqual(Object.keys(file).sort());
    for (const t of tags.tags) expect(t.taskCount).toBe(file[t.name].tasks.length);
    const validated = await run(['validate-dependencies'], dir);
    expect(validated.code).toBe(0);
    // Validation only reads.
    expect(readTasks(dir)).toEqual(file);
  });

  it('moves a task of the real file to a new tag with its subtasks', async () => {
    const dir = await makeProject({ fixture: true });
    const task = master(dir).find((t) => (t.subtasks?.length ?? 0) > 0 && !master(dir).some((o) => (o.dependencies ?? []).includes(t.id)) && (t.dependencies ?? []).length === 0);
    expect(task).toBeDefined();
    const r = await run(['move', `--from=${task.id}`, '--to-tag=parking'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(readTasks(dir).parking.tasks[0]).toMatchObject({ id: task.id, title: task.title, subtasks: task.subtasks });
    expect(master(dir).some((t) => t.id === task.id)).toBe(false);
  });
});
