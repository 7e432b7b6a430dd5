import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, emptyDir, makeProject, readTasks, run, runJson } from './helpers.js';

afterEach(cleanUp);

/** The first master task that has at least two subtasks, as the file holds it. */
function taskWithSubtasks(dir: string): any {
  return readTasks(dir).master.tasks.find((t: any) => (t.subtasks?.length ?? 0) >= 2);
}

describe('task verbs without a server (direct file path)', () => {
  it('lists every task of the current tag of the real file', async () => {
    const dir = await makeProject({ fixture: true });
    const file = readTasks(dir);
    const listed = await runJson(['list'], dir);
    expect(listed.tag).toBe('master');
    expect(listed.tasks.length).toBe(file.master.tasks.length);
    const subtasks = (tasks: any[]) => tasks.reduce((n, t) => n + (t.subtasks?.length ?? 0), 0);
    expect(subtasks(listed.tasks)).toBe(subtasks(file.master.tasks));
  });

  it('filters by tag and by several statuses', async () => {
    const dir = await makeProject({ fixture: true });
    const file = readTasks(dir);
    const tag = Object.keys(file).find((t) => t !== 'master')!;
    expect((await runJson(['list', '--tag', tag], dir)).tasks.length).toBe(file[tag].tasks.length);
    const wanted = ['pending', 'in-progress'];
    const filtered = await runJson(['list', '--status=pending,in-progress'], dir);
    expect(filtered.tasks.length).toBe(file.master.tasks.filter((t: any) => wanted.includes(t.status)).length);
    expect(filtered.tasks.every((t: any) => wanted.includes(t.status))).toBe(true);
  });

  it('prints a table with subtasks on request', async () => {
    const dir = await makeProject({ fixture: true });
    const task = taskWithSubtasks(dir);
    const r = await run(['list', '--with-subtasks'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(task.title);
    expect(r.stdout).toContain(`${task.id}.${task.subtasks[0].id}`);
  });

  it('shows a task and a subtask by positional id and by --id', async () => {
    const dir = await makeProject({ fixture: true });
    const task = taskWithSubtasks(dir);
    const shown = await runJson(['show', String(task.id)], dir);
    expect(shown.task.title).toBe(task.title);
    const sub = await runJson(['show', `--id=${task.id}.${task.subtasks[1].id}`], dir);
    expect(sub.task.title).toBe(task.subtasks[1].title);
    const human = await run(['show', '--id', String(task.id)], dir);
    expect(human.stdout).toContain(task.title);
    expect(human.stdout).toContain('SPARC mode');
  });

  it('adds a task, a subtask, updates it and keeps fields it did not touch', async () => {
    const dir = await makeProject();
    const created = await runJson(
      ['add-task', '--title', 'Login page', '--description=Email and password', '--priority', 'high'],
      dir,
    );
    expect(created.task.title).toBe('Login page');
    const sub = await runJson(['add-task', '--title', 'Form', `--parent=${created.id}`], dir);
    expect(sub.id).toBe(`${created.id}.1`);
    const updated = await runJson(['update-task', '--id', created.id, '--title', 'Sign-in page', '--details=Use the design kit'], dir);
    expect(updated.changed.sort()).toEqual(['details', 'title']);
    const onDisk = readTasks(dir).master.tasks[0];
    expect(onDisk).toMatchObject({ title: 'Sign-in page', description: 'Email and password', priority: 'high', details: 'Use the design kit' });
    expect(onDisk.subtasks.map((s: any) => s.title)).toEqual(['Form']);
  });

  it('sets the status of a subtask and of several tasks, with --id=x and --id x', async () => {
    const dir = await makeProject({ fixture: true });
    const task = taskWithSubtasks(dir);
    const subId = `${task.id}.${task.subtasks[0].id}`;
    const one = await runJson(['set-status', `--id=${subId}`, '--status=review'], dir);
    expect(one.tasks).toEqual([{ id: subId, from: task.subtasks[0].status, to: 'review' }]);
    const [a, b] = readTasks(dir).master.tasks;
    const many = await runJson(['set-status', '--id', `${a.id},${b.id}`, '--status', 'deferred'], dir);
    expect(many.tasks.map((t: any) => t.to)).toEqual(['deferred', 'deferred']);
    const after = readTasks(dir).master;
    expect(after.tasks[0].status).toBe('deferred');
    expect(after.tasks[1].status).toBe('deferred');
    expect(after.tasks.find((t: any) => t.id === task.id).subtasks[0].status).toBe('review');
  });

  it('removes a task with --yes and refuses without it when not on a terminal', async () => {
    const dir = await makeProject();
    const t1 = await runJson(['add-task', '--title', 'One'], dir);
    await runJson(['add-task', '--title', 'Two', '--dependencies', String(t1.id)], dir);
    const refused = await run(['remove-task', '--id', t1.id], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--yes');
    expect(readTasks(dir).master.tasks).toHaveLength(2);
    const removed = await runJson(['remove-task', `--id=${t1.id}`, '-y'], dir);
    expect(removed.id).toBe(String(t1.id));
    expect(readTasks(dir).master.tasks.map((t: any) => t.title)).toEqual(['Two']);
  });

  it('says it wrote the file directly with --verbose', async () => {
    const dir = await makeProject();
    const r = await run(['add-task', '--title', 'x', '--verbose'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('direct file write (no server running)');
  });
});

describe('errors', () => {
  it('update-task sets the fields even where sync.json asks clients to merge against a base', async () => {
    const dir = await makeProject({ fixture: true });
    writeFileSync(path.join(dir, '.taskmaster', 'config', 'sync.json'), JSON.stringify({ conflictStrategy: 'merge' }));
    const id = String(readTasks(dir).master.tasks[0].id);
    const r = await run(['update-task', '--id', id, '--title', 'Typed by a person'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(readTasks(dir).master.tasks[0].title).toBe('Typed by a person');
  });

  it('a refusal about the tasks says its own fix, and --help is offered only where the options are at fault', async () => {
    const dir = await makeProject({ fixture: true });
    const before = readFileSync(path.join(dir, '.taskmaster/tasks/tasks.json'), 'utf8');
    const ids = readTasks(dir).master.tasks.map((t: any) => Number(t.id));
    const [first, second] = ids;
    const refusals = {
      self: await run(['add-dependency', '--id', String(first), '--depends-on', String(first)], dir),
      taken: await run(['move', '--from', String(first), '--to', String(second)], dir),
      missingDep: await run(['add-task', '--title', 'x', '--dependencies', '99999'], dir),
      badSnapshot: await run(['history', 'restore', 'no-such-snapshot'], dir),
      noSnapshot: await run(['history', 'restore', '2020-01-01T00-00-00.000Z-000'], dir),
      subtaskAcross: await run(['move', '--from', '4.1', '--to-tag', 'loop'], dir),
      emptyTitle: await run(['update-task', '--id', String(first), '--title', ''], dir),
    };
    expect(refusals.self.stderr.trim()).toBe(`error: task ${first} cannot depend on itself`);
    expect(refusals.taken.stderr.trim()).toBe(`error: to: task ${second} already exists in tag "master"; give a free id (the next one is ${Math.max(...ids) + 1})`);
    expect(refusals.missingDep.stderr).toMatch(/^error: dependencies: task 99999 not found in tag "master" — run 'taskmaster list'/m);
    expect(refusals.badSnapshot.stderr.trim()).toBe(`error: invalid snapshot id "no-such-snapshot": expected an id as 'taskmaster history list' prints them (history.list)`);
    expect(refusals.noSnapshot.stderr.trim()).toBe("error: snapshot 2020-01-01T00-00-00.000Z-000 not found — run 'taskmaster history list' to see the snapshots there are");
    // A way out named for the CLI's user, and for the API's.
    expect(refusals.subtaskAcross.stderr.trim()).toBe(
      "error: from: 4.1 is a subtask, and subtasks cannot move to another tag; make it a task first ('taskmaster remove-subtask --id 4.1 --convert', or subtask.remove with convert), then move that",
    );
    expect(refusals.emptyTitle.stderr).toMatch(/^error: --title cannot be empty — give the new title, or leave --title out$/m);
    for (const r of Object.values(refusals)) {
      expect(r.code).toBe(1);
      expect(r.stderr).not.toContain('check the command and its options');
    }
    expect(readFileSync(path.join(dir, '.taskmaster/tasks/tasks.json'), 'utf8')).toBe(before);
  });

  it('exits 1 for an unknown task id, in words for people and with code 1008 for programs', async () => {
    const dir = await makeProject({ fixture: true });
    const r = await run(['show', '99999'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: task 99999 not found in tag "master" — run 'taskmaster list'/m);
    expect(r.stderr).not.toMatch(/error -?\d+/);
    const s = await run(['set-status', '--id', '99999', '--status', 'done', '--verbose'], dir);
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/error 1008: task 99999 not found/);
    const j = await run(['show', '99999', '--json'], dir);
    expect(JSON.parse(j.stderr)).toMatchObject({ error: { code: 1008, exitCode: 1 } });
  });

  it('exits 1 for an invalid status and names the valid ones', async () => {
    const dir = await makeProject({ fixture: true });
    const before = readTasks(dir);
    const r = await run(['set-status', '--id', '1', '--status', 'finished'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("invalid status 'finished'");
    expect(r.stderr).toContain('in-progress');
    expect(readTasks(dir)).toEqual(before);
  });

  it('exits 1 with the usage line for an unknown flag or command', async () => {
    const dir = await makeProject();
    const flag = await run(['list', '--colour'], dir);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain('usage: taskmaster list');
    const cmd = await run(['frobnicate'], dir);
    expect(cmd.code).toBe(1);
    expect(cmd.stderr).toContain("unknown command 'frobnicate'");
    expect(cmd.stderr).toContain('usage: taskmaster');
  });

  it('tells the user to run init outside a project', async () => {
    const r = await run(['list'], emptyDir());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("taskmaster init");
  });
});
