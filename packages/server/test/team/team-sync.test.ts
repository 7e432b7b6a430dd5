import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '@taskmaster/pg-test-cluster';
import { overriddenText, type OverriddenNotice } from '@taskmaster/protocol';
import { openTeamProject } from '@taskmaster/team';
import { cleanup, eventually, smallFile, type RawClient } from '../helpers.js';
import { describeRun } from '@taskmaster/task-master-runner';
import { runTaskMaster, startHeldTaskMaster } from '../task-master/harness.js';
import { comparable, makeMember, recordedChangeIds, serve, tasksOf, type RunningMember, type TeamMember } from './team-harness.js';

let cluster: TestCluster;
let databases = 0;

beforeAll(async () => {
  cluster = await startTestCluster();
});
afterEach(cleanup);
// A test that stopped PostgreSQL and failed before starting it again leaves it running for the next ones.
afterEach(() => (cluster?.controllable ? cluster.start() : undefined));
afterAll(async () => {
  await cluster?.remove();
});

/** A fresh database and three members A, B, C of one team project on it, each with its own server process. */
async function team(tasks: unknown | 'fixture', passphrase?: string): Promise<{ url: string; members: TeamMember[]; servers: RunningMember[] }> {
  const url = await cluster.createDatabase(`team_e2e_${process.pid}_${++databases}`);
  const project = `project-${databases}`;
  const members = await Promise.all(['A', 'B', 'C'].map((name) => makeMember(name, { url, project, ...(passphrase ? { passphrase } : {}) }, tasks)));
  const servers: RunningMember[] = [];
  // A first, so the project starts from A's file; B and C join it.
  servers.push(await serve(members[0]!));
  await connected(servers[0]!);
  servers.push(...(await Promise.all(members.slice(1).map(serve))));
  await Promise.all(servers.map(connected));
  return { url, members, servers };
}

async function statusOf(server: RunningMember): Promise<Record<string, any>> {
  const client = await server.client();
  try {
    return (await client.result('sync.status')).team as Record<string, any>;
  } finally {
    client.close();
  }
}

async function connected(server: RunningMember): Promise<void> {
  await eventually(async () => expect((await statusOf(server)).connected).toBe(true), 60_000, 200);
}

/** Every member's file holds the same tasks, and every outbox is empty and caught up. */
async function converged(members: TeamMember[], servers: RunningMember[], timeoutMs = 120_000): Promise<void> {
  await eventually(
    async () => {
      const statuses = await Promise.all(servers.map(statusOf));
      for (const s of statuses) {
        expect(s.outbox).toBe(0);
        expect(s.lastSeq).toBe(s.headSeq);
      }
      expect(new Set(statuses.map((s) => s.lastSeq)).size).toBe(1);
      const files = await Promise.all(members.map(async (m) => comparable(await tasksOf(m))));
      expect(files[1]).toEqual(files[0]);
      expect(files[2]).toEqual(files[0]);
    },
    timeoutMs,
    250,
  );
}

/** `file` without its tags' `metadata.updated`. */
function withoutUpdatedStamps(file: Record<string, any>): Record<string, any> {
  const copy = structuredClone(file);
  for (const tag of Object.values(copy)) if (tag?.metadata) delete tag.metadata.updated;
  return copy;
}

/** A and B on a fresh project, A's file with a tag `feature` of two tasks, which B has; `writeA` edits A's file as another program would. */
async function featurePair(): Promise<{ url: string; memberA: TeamMember; memberB: TeamMember; a: RunningMember; b: RunningMember; writeA: (edit: (file: any) => void) => Promise<void> }> {
  const url = await cluster.createDatabase(`team_e2e_${process.pid}_${++databases}`);
  const project = `project-${databases}`;
  const feature = { tasks: [{ id: 1, title: 'Feature one', description: 'First', status: 'pending' }, { id: 2, title: 'Feature two', description: 'Second', status: 'pending' }] };
  const memberA = await makeMember('A', { url, project }, { ...(smallFile(2) as object), feature });
  const memberB = await makeMember('B', { url, project }, smallFile(2));
  const a = await serve(memberA);
  await connected(a);
  const b = await serve(memberB);
  await connected(b);
  await eventually(async () => expect((await featureOf(memberB)).map((t) => t.title)).toEqual(['Feature one', 'Feature two']), 30_000);
  const fileA = join(memberA.root, '.taskmaster', 'tasks', 'tasks.json');
  const writeA = async (edit: (file: any) => void) => {
    const file = await tasksOf(memberA);
    edit(file);
    await writeFile(fileA, JSON.stringify(file, null, 2));
  };
  return { url, memberA, memberB, a, b, writeA };
}

/** A member's tasks of the tag `feature`: id, title and description. */
async function featureOf(member: TeamMember): Promise<Array<{ id: number; title: unknown; description: unknown }>> {
  return ((await tasksOf(member)).feature?.tasks ?? []).map(({ id, title, description }) => ({ id: Number(id), title, description }));
}

/** Once `from` has pushed its outbox, `to` has pulled everything it pushed. */
async function pulledBy(to: RunningMember, from: RunningMember): Promise<void> {
  await eventually(async () => expect((await statusOf(from)).outbox).toBe(0), 30_000);
  const pushed = (await statusOf(from)).headSeq;
  await eventually(async () => expect((await statusOf(to)).lastSeq).toBe(pushed), 30_000);
}

/**
 * Both members' `feature` tag comes to be `wanted` with no error on either server, and stays so across a
 * restart of A's server, whose reconcile would push any difference it took for A's own edit.
 */
async function featureSettles(pair: { memberA: TeamMember; memberB: TeamMember }, a: RunningMember, b: RunningMember, wanted: unknown, timeoutMs = 30_000): Promise<void> {
  const members = [pair.memberA, pair.memberB];
  for (const m of members) await eventually(async () => expect(await featureOf(m)).toEqual(wanted), timeoutMs);
  for (const s of [a, b]) expect((await statusOf(s)).error).toBeUndefined();
  const again = await restart(pair.memberA, a);
  await eventually(async () => expect((await statusOf(again)).outbox).toBe(0), 30_000);
  for (const m of members) expect(await featureOf(m)).toEqual(wanted);
  for (const s of [again, b]) expect((await statusOf(s)).error).toBeUndefined();
}

/** Task Master's current tag of `member` (state.json), set as its use-tag sets it. */
async function useTag(member: TeamMember, tag: string): Promise<void> {
  const file = join(member.root, '.taskmaster', 'state.json');
  const state = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as Record<string, unknown>;
  await writeFile(file, JSON.stringify({ ...state, currentTag: tag, lastSwitched: new Date().toISOString() }, null, 2));
}

async function currentTagOf(member: TeamMember): Promise<unknown> {
  return (JSON.parse(await readFile(join(member.root, '.taskmaster', 'state.json'), 'utf8')) as { currentTag?: unknown }).currentTag;
}

/** `member`'s server stopped and started again, connected. */
async function restart(member: TeamMember, server: RunningMember): Promise<RunningMember> {
  await server.stop();
  const again = await serve(member);
  await connected(again);
  return again;
}

async function rowsIn(url: string): Promise<{ count: number; ids: Set<string> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query('SELECT change_id FROM taskmaster_team_changes');
    return { count: res.rowCount ?? 0, ids: new Set(res.rows.map((r) => r.change_id as string)) };
  } finally {
    await client.end();
  }
}

/** Each member's own field, so that no member's acknowledged update can hide behind another's. */
const OWN_FIELD: Record<string, string> = { A: 'details', B: 'testStrategy', C: 'description' };

/**
 * `count` updates from `client` of member `name`, all in flight at once: task (i % 5) + 1 gets a title
 * every member writes (overlapping) and the member's own field. Returns the last value acknowledged per task.
 */
async function writeConcurrently(client: RawClient, name: string, count: number, from = 0): Promise<Map<string, string>> {
  const calls = Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const id = String((i % 5) + 1);
    const value = `${name}-${i}`;
    return client.result('task.update', { id, changes: { title: value, [OWN_FIELD[name]!]: value } }).then(() => ({ id, value, i }));
  });
  const acknowledged = await Promise.all(calls);
  const last = new Map<string, string>();
  // The server applies one client's updates in the order they came: the last per task is the one the file keeps.
  for (const a of acknowledged.sort((x, y) => x.i - y.i)) last.set(a.id, a.value);
  return last;
}

function expectNothingLost(file: Awaited<ReturnType<typeof tasksOf>>, lastByMember: Map<string, Map<string, string>>): void {
  const tasks = file.master!.tasks;
  const titles = new Set<string>();
  for (const [name, last] of lastByMember) {
    for (const [id, value] of last) {
      const task = tasks.find((t) => String(t.id) === id)!;
      expect(task[OWN_FIELD[name]!], `${name}'s last update of task ${id}`).toBe(value);
      titles.add(value);
    }
  }
  // The overlapping field holds one member's last value for that task: the later sequence won.
  for (const t of tasks) expect(titles.has(t.title as string)).toBe(true);
}

describe('team sync on PostgreSQL, three servers', () => {
  it('brings a change made in A to the files and the clients of B and C', async () => {
    const { servers, members } = await team('fixture');
    const [a, b, c] = servers as [RunningMember, RunningMember, RunningMember];
    const [watchB, watchC] = await Promise.all([b.client(), c.client()]);
    const writer = await a.client();
    const title = await writer.result('task.get', { id: 1 });
    await writer.result('task.update', { id: 1, changes: { title: `${(title.task as { title: string }).title} (edited on A)` } });
    for (const watcher of [watchB, watchC]) {
      const event = await watcher.waitFor((m) => m.method === 'task.updated' && (m.params as { id: string }).id === '1', 30_000);
      expect((event.params as { task: { title: string } }).task.title).toMatch(/\(edited on A\)$/);
    }
    for (const m of members.slice(1)) {
      await eventually(async () => expect((await tasksOf(m)).master!.tasks[0]!.title).toMatch(/\(edited on A\)$/), 30_000);
    }
    // Nothing secret or task text in what the servers logged.
    for (const s of servers) expect(s.log.join('\n')).not.toMatch(/edited on A|postgres(ql)?:\/\//);
  });

  it('converges after 200 concurrent updates on each of A, B and C, losing none', async () => {
    const { members, servers } = await team(smallFile(5));
    const clients = await Promise.all(servers.map((s) => s.client()));
    const results = await Promise.all(clients.map((client, i) => writeConcurrently(client, members[i]!.name, 200)));
    await converged(members, servers);
    expectNothingLost(await tasksOf(members[0]!), new Map(members.map((m, i) => [m.name, results[i]!])));
  });

  it('converges with nothing lost or applied twice when PostgreSQL stops for 5 s while all three write', async () => {
    const { url, members, servers } = await team(smallFile(5));
    const clients = await Promise.all(servers.map((s) => s.client()));
    const before = Promise.all(clients.map((client, i) => writeConcurrently(client, members[i]!.name, 40)));
    await cluster.stop();
    const stoppedAt = Date.now();
    // Local writes go on while the database is away: acknowledged, and waiting in each outbox.
    const during = await Promise.all(clients.map((client, i) => writeConcurrently(client, members[i]!.name, 40, 40)));
    await eventually(async () => expect((await statusOf(servers[0]!)).connected).toBe(false), 30_000);
    expect((await statusOf(servers[1]!)).outbox).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, Math.max(0, 5000 - (Date.now() - stoppedAt))));
    await cluster.start();
    await before;
    await converged(members, servers);
    expectNothingLost(await tasksOf(members[0]!), new Map(members.map((m, i) => [m.name, during[i]!])));
    // Each recorded local change is in the log exactly once.
    const recorded = (await Promise.all(members.map(recordedChangeIds))).flat();
    const rows = await rowsIn(url);
    expect(rows.count).toBe(new Set(recorded).size);
    for (const id of recorded) expect(rows.ids.has(id)).toBe(true);
  });

  it('keeps both tasks when A (the real Task Master) and B each add task 4 while PostgreSQL is away, with what each did to its own since; every member ends with the same file', async () => {
    const { members, servers } = await team(smallFile(3));
    const [a, b] = (await Promise.all(servers.slice(0, 2).map((s) => s.client()))) as [RawClient, RawClient];
    await cluster.stop();
    await eventually(async () => expect((await statusOf(servers[0]!)).connected).toBe(false), 30_000);
    // Each machine numbers its new tasks from its own file: both make task 4. On A, Task Master itself
    // adds it and a subtask (which it writes with `parentTaskId`); A's client then edits it and adds
    // task 5, which needs it.
    for (const args of [['add-task', '--title=Made on A', '--description=a'], ['add-subtask', '--parent=4', '--title=A step']]) {
      const run = await runTaskMaster(members[0]!.root, args);
      expect(run.code, run.stderr).toBe(0);
    }
    await eventually(async () => expect(((await a.result('task.get', { id: '4.1' })) as { task: { title: string } }).task.title).toBe('A step'), 30_000);
    const madeOnB = (await b.result('task.create', { task: { title: 'Made on B', description: 'b' } })) as { id: string };
    expect(madeOnB.id).toBe('4');
    await a.result('task.update', { id: 4, changes: { details: 'A works on its 4' } });
    expect(((await a.result('task.create', { task: { title: 'Needs A', description: 'a', dependencies: [4] } })) as { id: string }).id).toBe('5');
    await b.result('task.update', { id: 4, changes: { details: 'B works on its 4' } });
    await a.result('tag.add', { name: 'from-a' });
    await b.result('tag.add', { name: 'from-b' });
    await cluster.start();
    await converged(members, servers);

    // The same file on every machine: tasks, their fields and ids as written, and the tags, in the same order.
    // (Each tag's `metadata.updated` is when this machine last wrote to it, as Task Master keeps it.)
    const files = await Promise.all(members.map(async (m) => withoutUpdatedStamps(await tasksOf(m))));
    for (const f of files.slice(1)) expect(JSON.stringify(f)).toBe(JSON.stringify(files[0]));
    expect(Object.keys(files[0]!).sort()).toEqual(['from-a', 'from-b', 'master']);
    const tasks = files[0]!.master!.tasks as Array<Record<string, any>>;
    expect(tasks.map((t) => Number(t.id))).toEqual([1, 2, 3, 4, 5, 6]);
    const named = (title: string) => tasks.filter((t) => t.title === title);
    for (const title of ['Made on A', 'Made on B', 'Needs A']) expect(named(title)).toHaveLength(1);
    // Whichever reached the log first kept 4; what each did to its own task went with it.
    const madeOnA = named('Made on A')[0]!;
    expect(madeOnA).toMatchObject({ details: 'A works on its 4', subtasks: [{ id: 1, title: 'A step', parentTaskId: madeOnA.id }] });
    expect(named('Made on B')[0]).toMatchObject({ details: 'B works on its 4' });
    expect(named('Made on B')[0]!.subtasks ?? []).toEqual([]);
    expect(named('Needs A')[0]!.dependencies).toEqual([madeOnA.id]);
    // Task Master on C reads the result as its own: A's task with its subtask, and no dependency that does not hold.
    const shown = await runTaskMaster(members[2]!.root, ['show', String(madeOnA.id)]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Made on A');
    expect(shown.stdout).toContain('A step');
    const checked = await runTaskMaster(members[2]!.root, ['validate-dependencies']);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toContain('All Dependencies Are Valid');
    // Sub 1.1 of the starting file and A step.
    expect(checked.stdout).toMatch(/Subtasks checked: 2\b/);
  });

  it('drops, on every member, the dependencies one member added on tasks another deleted while PostgreSQL was away: no task is left waiting on one that is gone', async () => {
    const { members, servers } = await team(smallFile(5));
    const [a, b] = (await Promise.all(servers.slice(0, 2).map((s) => s.client()))) as [RawClient, RawClient];
    await cluster.stop();
    await eventually(async () => expect((await statusOf(servers[0]!)).connected).toBe(false), 30_000);
    await eventually(async () => expect((await statusOf(servers[1]!)).connected).toBe(false), 30_000);
    // On A, the real Task Master removes task 5; then A makes task 2 wait on task 1.
    const removed = await runTaskMaster(members[0]!.root, ['remove-task', '--id=5', '--yes']);
    expect(removed.code, removed.stderr).toBe(0);
    await eventually(async () => expect(((await a.result('tasks.list')) as { tasks: unknown[] }).tasks).toHaveLength(4), 30_000);
    await a.result('dependency.add', { id: 2, dependsOn: 1 });
    // On B, which still has task 5: task 3 and a new task 6 wait on it; then B deletes task 1.
    await b.result('dependency.add', { id: 3, dependsOn: 5 });
    expect(((await b.result('task.create', { task: { title: 'Needs 4 and 5', description: 'b', dependencies: [4, 5] } })) as { id: string }).id).toBe('6');
    await b.result('task.delete', { id: 1 });
    await cluster.start();
    await converged(members, servers);

    const files = await Promise.all(members.map(async (m) => withoutUpdatedStamps(await tasksOf(m))));
    for (const f of files.slice(1)) expect(JSON.stringify(f)).toBe(JSON.stringify(files[0]));
    const tasks = files[0]!.master!.tasks as Array<Record<string, any>>;
    expect(tasks.map((t) => [Number(t.id), t.dependencies])).toEqual([
      [2, []],
      [3, []],
      [4, []],
      [6, [4]],
    ]);
    // Task Master on C agrees, and finds task 2 ready to start.
    const checked = await runTaskMaster(members[2]!.root, ['validate-dependencies']);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toContain('All Dependencies Are Valid');
    const c = await servers[2]!.client();
    expect(((await c.result('tasks.next')) as { next: { id: string } }).next.id).toBe('2');
  });

  it("keeps the team's task under its id when the real Task Master on A adds one from a read made before that task reached A: Task Master's takes the next id, on every member", async () => {
    const { members, servers } = await team(smallFile(5));
    const b = await servers[1]!.client();
    // Task Master on A reads the file, and is held before its lock (as while it waits on an AI call).
    const taskMaster = await startHeldTaskMaster(members[0]!.root, ['add-task', '--title=Made by Task Master on A', '--description=a']);
    expect(((await b.result('task.create', { task: { title: 'Made on B', description: 'b' } })) as { id: string }).id).toBe('6');
    await eventually(async () => expect((await tasksOf(members[0]!)).master!.tasks.map((t) => t.title)).toContain('Made on B'), 30_000);
    // It writes back what it read with its new task 6.
    const run = await taskMaster.release();
    expect(run.code, describeRun(run)).toBe(0);
    await eventually(async () => expect((await tasksOf(members[0]!)).master!.tasks.map((t) => t.title)).toContain('Made by Task Master on A'), 30_000);
    // B goes on with its task 6, by its id.
    await b.result('task.update', { id: 6, changes: { details: 'B works on its 6' } });
    await converged(members, servers);

    const files = await Promise.all(members.map(async (m) => withoutUpdatedStamps(await tasksOf(m))));
    for (const f of files.slice(1)) expect(JSON.stringify(f)).toBe(JSON.stringify(files[0]));
    const tasks = files[0]!.master!.tasks as Array<Record<string, any>>;
    expect(tasks.slice(5).map((t) => [Number(t.id), t.title])).toEqual([
      [6, 'Made on B'],
      [7, 'Made by Task Master on A'],
    ]);
    expect(tasks[5]!.details).toBe('B works on its 6');
  });

  it("keeps the team's task under its id when the real Task Master on A added one under the same id while A's server was stopped: Task Master's takes the next id, on every member", async () => {
    const { members, servers } = await team(smallFile(5));
    const [memberA, , memberC] = members as [TeamMember, TeamMember, TeamMember];
    const [a, b, c] = servers as [RunningMember, RunningMember, RunningMember];
    await a.stop();
    const added = await runTaskMaster(memberA.root, ['add-task', '--title=Made by Task Master on A', '--description=a']);
    expect(added.code, added.stderr).toBe(0);
    const onB = await b.client();
    expect(((await onB.result('task.create', { task: { title: 'Made on B', description: 'b' } })) as { id: string }).id).toBe('6');
    await eventually(async () => expect((await tasksOf(memberC)).master!.tasks.map((t) => t.title)).toContain('Made on B'), 30_000);
    const again = await serve(memberA);
    await connected(again);
    // B goes on with its task 6, by its id.
    await onB.result('task.update', { id: 6, changes: { details: 'B works on its 6' } });
    await converged(members, [again, b, c]);
    for (const m of members) {
      expect((await tasksOf(m)).master!.tasks.slice(5).map((t) => [Number(t.id), t.title, t.details])).toEqual([
        [6, 'Made on B', 'B works on its 6'],
        [7, 'Made by Task Master on A', expect.anything()],
      ]);
    }
  });

  it('follows a task the real Task Master on A renumbered (move --from=5 --to=7) with what B did to it meanwhile: its update and a dependency on it land on task 7, on every member', async () => {
    const { members, servers } = await team(smallFile(5));
    const b = await servers[1]!.client();
    await cluster.stop();
    await eventually(async () => expect((await statusOf(servers[0]!)).connected).toBe(false), 30_000);
    await eventually(async () => expect((await statusOf(servers[1]!)).connected).toBe(false), 30_000);
    const moved = await runTaskMaster(members[0]!.root, ['move', '--from=5', '--to=7']);
    expect(moved.code, moved.stderr).toBe(0);
    await b.result('task.update', { id: 5, changes: { details: 'B works on 5' } });
    await b.result('dependency.add', { id: 4, dependsOn: 5 });
    await cluster.start();
    await converged(members, servers);

    const files = await Promise.all(members.map(async (m) => withoutUpdatedStamps(await tasksOf(m))));
    for (const f of files.slice(1)) expect(JSON.stringify(f)).toBe(JSON.stringify(files[0]));
    const tasks = files[0]!.master!.tasks as Array<Record<string, any>>;
    expect(tasks.map((t) => [Number(t.id), t.title, t.details, (t.dependencies as unknown[]).map(Number)])).toEqual([
      [1, 'Task 1', '', []],
      [2, 'Task 2', '', []],
      [3, 'Task 3', '', []],
      [4, 'Task 4', '', [7]],
      [7, 'Task 5', 'B works on 5', []],
    ]);
  });

  it("tells the member whose change lost to another's made without seeing it, and only that member (not the winner, not a third member): B's field and B's update of a task A's Task Master deleted meanwhile lose to A's, and B is told; B's Task Master's change to a task A deleted meanwhile brings it back, and A is told", async () => {
    const { members, servers } = await team(smallFile(5));
    const [memberA, memberB, memberC] = members as [TeamMember, TeamMember, TeamMember];
    let [a, b] = servers as [RunningMember, RunningMember];
    const c = servers[2]!;
    const tasks = async (m: TeamMember) => (await tasksOf(m)).master!.tasks.map((t) => [Number(t.id), t.status, t.details]);
    /** The changes another member wrote over that still stand on a server, as its `sync.status` lists them and the board words them. */
    const overridden = async (server: RunningMember) => {
      const client = await server.client();
      try {
        const notices = ((await client.result('sync.status')) as { overridden?: OverriddenNotice[] }).overridden ?? [];
        return notices
          .map((n) => [n.id, n.fields, overriddenText(n), ((n.ours['*'] ?? n.theirs['*']) as { details?: string } | undefined)?.details, n.snapshot])
          .sort((x, y) => Number(x[0]) - Number(y[0]));
      } finally {
        client.close();
      }
    };
    /** PostgreSQL away (A and B know it) while `offline` runs, then back: what `offline` left in an outbox goes to the log once PostgreSQL and its server are both up, so the test orders the changes. */
    const whilePostgresAway = async (offline: () => Promise<void>) => {
      await cluster.stop();
      for (const s of [a, b]) await eventually(async () => expect((await statusOf(s)).connected).toBe(false), 30_000);
      await offline();
      await cluster.start();
    };
    const recorded = (server: RunningMember, entries = 1) => eventually(async () => expect((await statusOf(server)).outbox).toBeGreaterThanOrEqual(entries), 30_000);

    // A changes task 3 and A's Task Master removes task 5, and A's server stops before it can send
    // either; B changes tasks 3 and 5, and sends first.
    await whilePostgresAway(async () => {
      const onA = await a.client();
      await onA.result('task.update', { id: 3, changes: { details: 'A works on 3' } });
      const removed = await runTaskMaster(memberA.root, ['remove-task', '--id=5', '--yes']);
      expect(removed.code, removed.stderr).toBe(0);
      await recorded(a, 2);
      await a.stop();
      const onB = await b.client();
      await onB.result('task.update', { id: 3, changes: { details: 'B works on 3' } });
      await onB.result('task.update', { id: 5, changes: { details: 'B works on 5' } });
    });
    await eventually(async () => expect((await tasks(memberC)).at(-1)).toEqual([5, 'pending', 'B works on 5']), 60_000);
    a = await serve(memberA);
    await connected(a);
    await converged(members, [a, b, c]);
    // The later changes, A's, are kept; B is told what they overrode, and A, whose changes won, nothing.
    for (const m of members) expect(await tasks(m)).toEqual([[1, 'pending', ''], [2, 'pending', ''], [3, 'pending', 'A works on 3'], [4, 'pending', '']]);
    const toldB = await overridden(b);
    const snapshot = toldB[1]?.[4] as string;
    expect(toldB).toEqual([
      ['3', ['details'], 'Another program wrote over task 3\'s details, changed here meanwhile; its value was kept. Here: details "B works on 3".', undefined, expect.any(String)],
      ['5', ['*'], `Another program deleted task 5 while it was being changed here; the delete was kept. 'taskmaster history restore ${snapshot}' brings back the version before.`, 'B works on 5', snapshot],
    ]);
    // That snapshot holds B's task 5 as B left it (compressed once the pull's write is durable).
    const snapshotFile = join(memberB.root, '.taskmaster', 'tasks', 'history', `${snapshot}.json.gz`);
    let kept: { master: { tasks: Array<{ id: unknown; details?: string }> } } | undefined;
    await eventually(async () => (kept = JSON.parse(gunzipSync(await readFile(snapshotFile)).toString('utf8'))));
    expect(kept!.master.tasks.find((t) => Number(t.id) === 5)?.details).toBe('B works on 5');
    // It is the snapshot the pull's own write kept, as `taskmaster history list` shows it: not a second copy.
    const onB = await b.client();
    const { snapshots } = (await onB.result('history.list', {})) as { snapshots: Array<{ id: string; op?: string; ids?: string[] }> };
    onB.close();
    expect(snapshots.find((info) => info.id === snapshot)).toMatchObject({ op: 'team', ids: expect.arrayContaining(['3', '5']) });
    expect(await overridden(a)).toEqual([]);
    // C changed neither task: what one of A and B overrode of the other's is not C's to be told.
    expect(await overridden(c)).toEqual([]);

    // The other way round: B's Task Master sets task 4 done, and B's server stops before it can send
    // that; A's Task Master removes task 4, and A's server sends it first.
    await whilePostgresAway(async () => {
      const done = await runTaskMaster(memberB.root, ['set-status', '--id=4', '--status=done']);
      expect(done.code, done.stderr).toBe(0);
      await recorded(b);
      await b.stop();
      const removed = await runTaskMaster(memberA.root, ['remove-task', '--id=4', '--yes']);
      expect(removed.code, removed.stderr).toBe(0);
      await recorded(a);
    });
    await eventually(async () => expect((await tasks(memberC)).map(([id]) => id)).toEqual([1, 2, 3]), 60_000);
    b = await serve(memberB);
    await connected(b);
    await converged(members, [a, b, c]);
    // The later change, B's, brings task 4 back, done, on every member; A is told its delete was undone.
    for (const m of members) expect(await tasks(m)).toEqual([[1, 'pending', ''], [2, 'pending', ''], [3, 'pending', 'A works on 3'], [4, 'done', '']]);
    expect(await overridden(a)).toEqual([['4', ['*'], 'Task 4 was deleted here while another program changed it; its version was kept.', '', expect.any(String)]]);
    expect((await overridden(b)).map(([id]) => id)).toEqual(['3', '5']);
    expect(await overridden(c)).toEqual([]);
    // Two stops of PostgreSQL and two of a server, with four runs of the real Task Master: 20-25 s alone.
  }, 180_000);

  it('pushes the outbox of a server SIGKILLed mid-push exactly once after its restart', async () => {
    const { url, members, servers } = await team(smallFile(5));
    const [a, b, c] = servers as [RunningMember, RunningMember, RunningMember];
    const writer = await a.client();
    // Updates in flight, some acknowledged (in the outbox, maybe pushed), when the process dies.
    const calls = Array.from({ length: 200 }, (_, i) =>
      writer.result('task.update', { id: String((i % 5) + 1), changes: { details: `A-${i}`, title: `A-${i}` } }).then(
        () => i,
        () => -1,
      ),
    );
    await eventually(() => expect(writer.messages.filter((m) => 'result' in m).length).toBeGreaterThan(20), 30_000, 5);
    await a.kill();
    const acknowledged = (await Promise.all(calls)).filter((i) => i >= 0);
    expect(acknowledged.length).toBeGreaterThan(0);
    const restarted = await serve(members[0]!);
    await connected(restarted);
    await converged(members, [restarted, b, c]);
    // The last acknowledged update of each task survived the kill and reached B and C (or one sent after
    // it did: written before the kill, though its reply was not).
    const last = new Map<string, number>();
    for (const i of acknowledged.sort((x, y) => x - y)) last.set(String((i % 5) + 1), i);
    const file = await tasksOf(members[2]!);
    for (const [id, i] of last) {
      const kept = Number(String(file.master!.tasks.find((t) => String(t.id) === id)!.details).replace('A-', ''));
      expect(kept).toBeGreaterThanOrEqual(i);
    }
    const recorded = (await Promise.all(members.map(recordedChangeIds))).flat();
    const rows = await rowsIn(url);
    expect(rows.count).toBe(new Set(recorded).size);
  });

  it('brings a write of the real Task Master CLI on A to C', async () => {
    const { members } = await team('fixture');
    const [a, , c] = members as [TeamMember, TeamMember, TeamMember];
    const run = await runTaskMaster(a.root, ['set-status', '--id=2', '--status=review']);
    expect(run.code, run.stderr).toBe(0);
    await eventually(async () => expect((await tasksOf(c)).master!.tasks.find((t) => String(t.id) === '2')!.status).toBe('review'), 60_000);
  });

  it("brings tags added empty, renamed and deleted (by the real Task Master on A, by a client of B's server) to every member, with their metadata; the current tag follows a rename, and gives way to master when deleted", async () => {
    const { members, servers } = await team('fixture');
    const [a, b, c] = members as [TeamMember, TeamMember, TeamMember];
    // B works on the tag A renames, C on the one A deletes.
    await useTag(b, 'loop');
    await useTag(c, 'test-tag');
    for (const args of [['add-tag', 'sprint-9', '--description=Next sprint'], ['rename-tag', 'loop', 'loop-2'], ['delete-tag', 'test-tag', '--yes']]) {
      const run = await runTaskMaster(a.root, args);
      expect(run.code, run.stderr).toBe(0);
    }
    await converged(members, servers);
    // The renamed current tag stays current under its new name, as it does on the machine that renamed it;
    // a deleted one gives way to master, as Task Master's delete-tag does (else its list shows nothing, its add-task fails).
    await eventually(async () => expect(await currentTagOf(b)).toBe('loop-2'), 30_000);
    await eventually(async () => expect(await currentTagOf(c)).toBe('master'), 30_000);
    // The real Task Master on C lists master's tasks (on a current tag that is gone, it says "No tasks found").
    const listed = await runTaskMaster(c.root, ['list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('tag: master');
    expect(listed.stdout).not.toContain('No tasks found');
    await useTag(a, 'tm-start');
    const client = await servers[1]!.client();
    await client.result('tag.add', { name: 'from-b', description: 'Added on B' });
    await client.result('tag.rename', { from: 'tm-start', to: 'tm-begin' });
    await client.result('tag.delete', { name: 'cc-kiro-hooks' });
    await converged(members, servers);
    const [fileA, fileB, fileC] = await Promise.all(members.map(tasksOf));
    const tags = Object.keys(fileA!);
    expect(tags.slice(-4)).toEqual(['sprint-9', 'loop-2', 'from-b', 'tm-begin']);
    for (const gone of ['loop', 'test-tag', 'tm-start', 'cc-kiro-hooks']) expect(tags).not.toContain(gone);
    for (const file of [fileB!, fileC!]) {
      // The same tags in the same order, each with the same tasks (converged), the new ones with their metadata.
      expect(Object.keys(file)).toEqual(tags);
      expect(file['sprint-9']).toMatchObject({ tasks: [], metadata: { description: 'Next sprint' } });
      expect(file['from-b']).toMatchObject({ tasks: [], metadata: { description: 'Added on B' } });
      expect((file['loop-2'] as { metadata?: unknown }).metadata).toEqual((fileA!['loop-2'] as { metadata?: unknown }).metadata);
      expect(file['loop-2']!.tasks.length).toBe(18);
    }
    expect(fileA!['tm-begin']!.tasks.map((t) => t.title)).toEqual(fileB!['tm-begin']!.tasks.map((t) => t.title));
    await eventually(async () => expect(await currentTagOf(a)).toBe('tm-begin'), 30_000);
    // A's server restarted: its reconcile (the file against the team's version and its outbox) finds nothing to send back.
    const again = await restart(a, servers[0]!);
    await converged(members, [again, ...servers.slice(1)]);
    expect((await statusOf(again)).lastSeq).toBe((await statusOf(servers[1]!)).headSeq);
    expect(Object.keys(await tasksOf(c))).toEqual(tags);
    // Four runs of the real Task Master on the fixture, three convergences and a restart: 37–39 s in CI alone, near the
    // default 60 s limit when the machine is busy.
  }, 120_000);

  it("sends the tags Task Master added, renamed and deleted on A while A's server was stopped, once it starts again", async () => {
    const { members, servers } = await team('fixture');
    const [a, , c] = members as [TeamMember, TeamMember, TeamMember];
    await servers[0]!.stop();
    for (const args of [['add-tag', 'offline-empty'], ['rename-tag', 'tm-start', 'tm-start-offline'], ['delete-tag', 'test-tag', '--yes']]) {
      const run = await runTaskMaster(a.root, args);
      expect(run.code, run.stderr).toBe(0);
    }
    const again = await serve(a);
    await connected(again);
    await converged(members, [again, ...servers.slice(1)]);
    const tags = Object.keys(await tasksOf(c));
    expect(tags).toEqual(Object.keys(await tasksOf(a)));
    expect(tags).toContain('offline-empty');
    expect(tags).toContain('tm-start-offline');
    for (const gone of ['tm-start', 'test-tag']) expect(tags).not.toContain(gone);
  });

  it('keeps task text out of the database with a passphrase, and refuses a wrong one without writing', async () => {
    const { url, members, servers } = await team(smallFile(3), 'team secret passphrase');
    const writer = await servers[0]!.client();
    await writer.result('task.update', { id: '2', changes: { title: 'Quarterly Flamingo review' } });
    await eventually(async () => expect((await tasksOf(members[2]!)).master!.tasks[1]!.title).toBe('Quarterly Flamingo review'), 30_000);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const dump = JSON.stringify((await client.query("SELECT encode(payload, 'escape') AS p FROM taskmaster_team_changes UNION ALL SELECT encode(payload, 'escape') FROM taskmaster_team_snapshots")).rows);
    const before = (await client.query('SELECT count(*)::int AS n FROM taskmaster_team_changes')).rows[0].n as number;
    expect(dump).not.toMatch(/Flamingo|Task 1|Description/);

    const intruder = await makeMember('D', { url, project: `project-${databases}`, passphrase: 'not the passphrase' }, smallFile(4));
    const server = await serve(intruder);
    await eventually(async () => expect((await statusOf(server)).error).toMatch(/wrong passphrase/), 30_000);
    expect((await statusOf(server)).connected).toBe(false);
    expect((await tasksOf(intruder)).master!.tasks).toHaveLength(4);
    expect((await client.query('SELECT count(*)::int AS n FROM taskmaster_team_changes')).rows[0].n).toBe(before);
    await client.end();
    expect(server.log.join('\n')).not.toMatch(/not the passphrase|team secret passphrase/);
  });
  it('keeps a tag left broken on one machine on that machine: the others join, and every other tag syncs both ways', async () => {
    const url = await cluster.createDatabase(`team_e2e_${process.pid}_${++databases}`);
    const project = `project-${databases}`;
    // Another tool left a task without a title in A's tag `feature`; A creates the team project.
    const feature = { tasks: [{ id: 1, title: null, status: 'pending' }, { id: 2, title: 'Left as it is', status: 'pending' }] };
    const memberA = await makeMember('A', { url, project }, { ...(smallFile(3) as object), feature });
    const memberB = await makeMember('B', { url, project }, smallFile(3));
    const a = await serve(memberA);
    await connected(a);
    const b = await serve(memberB);
    await connected(b);

    const [writerA, writerB] = await Promise.all([a.client(), b.client()]);
    await writerA.result('task.update', { id: '2', changes: { title: 'Edited on A' } });
    await writerB.result('task.update', { id: '3', changes: { title: 'Edited on B' } });
    for (const m of [memberA, memberB]) {
      await eventually(async () => expect((await tasksOf(m)).master!.tasks.map((t) => t.title)).toEqual(['Task 1', 'Edited on A', 'Edited on B']), 30_000);
    }
    expect((await tasksOf(memberA)).feature).toEqual(feature);
    expect(Object.keys(await tasksOf(memberB))).toEqual(['master']);
    for (const s of [a, b]) expect((await statusOf(s)).error).toBeUndefined();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const dump = JSON.stringify((await client.query("SELECT encode(payload, 'escape') AS p FROM taskmaster_team_changes UNION ALL SELECT encode(payload, 'escape') FROM taskmaster_team_snapshots")).rows);
    await client.end();
    expect(dump).toMatch(/Edited on B/);
    expect(dump).not.toMatch(/Left as it is|feature/);
  });
  it('brings the team\'s changes made to a tag while it was broken on A into A\'s file once A fixes it, and the fix to the team', async () => {
    const { url, memberA, memberB, a, b, writeA } = await featurePair();
    const [writerA, writerB] = await Promise.all([a.client(), b.client()]);

    // A hand-edit on A leaves task 1 of `feature` without a title; A's server refuses the tag from then on.
    await writeA((file) => (file.feature.tasks[0].title = null));
    await eventually(async () => expect((await writerA.call('task.list', { tag: 'feature' })).error).toBeDefined(), 10_000);
    // Meanwhile B changes task 2; A pulls it, but keeps its broken tag as it is.
    await writerB.result('task.update', { id: '2', tag: 'feature', changes: { title: 'Edited on B' } });
    await eventually(async () => {
      const [sa, sb] = await Promise.all([statusOf(a), statusOf(b)]);
      expect(sb.outbox).toBe(0);
      expect(sa.lastSeq).toBe(sb.lastSeq);
    }, 30_000);
    expect((await featureOf(memberA)).map((t) => t.title)).toEqual([null, 'Feature two']);
    // Nothing of the broken tag went to the team: a task without a title would stop every member reading the log.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const rows = (await client.query("SELECT encode(payload, 'escape') AS p FROM taskmaster_team_changes")).rows.map((r) => r.p as string);
    await client.end();
    expect(rows.join('\n')).toMatch(/Edited on B/);
    expect(rows.join('\n')).not.toMatch(/"title":null/);

    // A fixes the tag, changing task 1's description too.
    await writeA((file) => Object.assign(file.feature.tasks[0], { title: 'Fixed on A', description: 'Described on A' }));
    const wanted = [
      { id: 1, title: 'Fixed on A', description: 'Described on A' },
      { id: 2, title: 'Edited on B', description: 'Second' },
    ];
    for (const m of [memberA, memberB]) await eventually(async () => expect(await featureOf(m)).toEqual(wanted), 30_000);
    await eventually(async () => expect(comparable(await tasksOf(memberA))).toEqual(comparable(await tasksOf(memberB))), 30_000);
    for (const s of [a, b]) expect((await statusOf(s)).error).toBeUndefined();
  });

  for (const fixWhile of ['running', 'stopped'] as const) {
    it(`remembers a broken tag's last good version across a restart of A's server: fixed while it is ${fixWhile}, the team's changes come back and the fix goes out`, async () => {
      const pair = await featurePair();
      const { memberA, memberB, b, writeA } = pair;
      let { a } = pair;

      // A hand-edit breaks the tag on A. B changes one of its tasks, which A pulls but keeps out of its broken
      // tag; then A's server stops, and B changes the other task meanwhile.
      await writeA((file) => (file.feature.tasks[0].title = null));
      const writerA = await a.client();
      await eventually(async () => expect((await writerA.call('task.list', { tag: 'feature' })).error).toBeDefined(), 10_000);
      writerA.close();
      const writerB = await b.client();
      await writerB.result('task.update', { id: '1', tag: 'feature', changes: { description: 'Described on B' } });
      await pulledBy(a, b);
      expect((await featureOf(memberA)).map((t) => t.description)).toEqual(['First', 'Second']);
      await a.stop();
      await writerB.result('task.update', { id: '2', tag: 'feature', changes: { title: 'Edited on B' } });
      await eventually(async () => expect((await statusOf(b)).outbox).toBe(0), 30_000);

      const fix = (file: any) => Object.assign(file.feature.tasks[0], { title: 'Fixed on A' });
      if (fixWhile === 'stopped') await writeA(fix);
      a = await serve(memberA);
      await connected(a);
      if (fixWhile === 'running') {
        // The restarted server still holds the broken tag as it is, pulling B's changes but not into it.
        await eventually(async () => expect((await statusOf(a)).lastSeq).toBe((await statusOf(b)).lastSeq), 30_000);
        expect((await featureOf(memberA)).map((t) => t.title)).toEqual([null, 'Feature two']);
        await writeA(fix);
      }
      // Both of B's changes reach A's fixed tag, and A's fix reaches B: B's changes are not taken back.
      const wanted = [
        { id: 1, title: 'Fixed on A', description: 'Described on B' },
        { id: 2, title: 'Edited on B', description: 'Second' },
      ];
      await featureSettles(pair, a, b, wanted);
      await eventually(async () => expect(comparable(await tasksOf(memberA))).toEqual(comparable(await tasksOf(memberB))), 30_000);
    });
  }

  it('merges the team\'s changes into a tag fixed while PostgreSQL was away, even when A\'s server restarts before it is back', async () => {
    const pair = await featurePair();
    const { memberA, memberB, b, writeA } = pair;
    let { a } = pair;

    // The tag breaks on A; B's change to it reaches A, which keeps it out of the broken tag.
    await writeA((file) => (file.feature.tasks[0].title = null));
    const writerB = await b.client();
    await writerB.result('task.update', { id: '1', tag: 'feature', changes: { description: 'Described on B' } });
    await pulledBy(a, b);
    writerB.close();

    // PostgreSQL goes away; A fixes the tag (the fix waits in its outbox), and its server stops before the database is back.
    await cluster.stop();
    try {
      await eventually(async () => expect((await statusOf(a)).connected).toBe(false), 30_000);
      await writeA((file) => Object.assign(file.feature.tasks[0], { title: 'Fixed on A' }));
      await eventually(async () => expect((await statusOf(a)).outbox).toBeGreaterThan(0), 10_000);
      await a.stop();
    } finally {
      await cluster.start();
    }
    a = await serve(memberA);
    await connected(a);
    const wanted = [
      { id: 1, title: 'Fixed on A', description: 'Described on B' },
      { id: 2, title: 'Feature two', description: 'Second' },
    ];
    await featureSettles(pair, a, b, wanted, 60_000);
  });

  // B's change made while A's server is stopped is in the log before A's start reads it: A's last good version of the
  // tag is the team's from before it (the last version A's server knew), not the team's now, else the fix reverses it.
  for (const bWrites of ['while A is stopped', 'once A is back'] as const) {
    it(`takes the team's version of a tag broken while no server ran as its last good one: fixed, the team's changes (made ${bWrites}) come back and the fix goes out`, async () => {
      const pair = await featurePair();
      const { memberA, memberB, b, writeA } = pair;
      let { a } = pair;
      const writerB = await b.client();
      // B changes task 1, which A pulls but keeps out of its broken tag.
      const bChanges = () => writerB.result('task.update', { id: '1', tag: 'feature', changes: { description: 'Described on B' } });

      // Another tool breaks the tag while A's server is stopped, and gives task 2 a description there too.
      await a.stop();
      await writeA((file) => Object.assign(file.feature.tasks[0], { title: null }) && Object.assign(file.feature.tasks[1], { description: 'Described on A' }));
      if (bWrites === 'while A is stopped') {
        await bChanges();
        await eventually(async () => expect((await statusOf(b)).outbox).toBe(0), 30_000);
      }
      a = await serve(memberA);
      await connected(a);
      if (bWrites === 'once A is back') await bChanges();
      await pulledBy(a, b);
      expect((await featureOf(memberA)).map((t) => t.description)).toEqual(['First', 'Described on A']);

      await writeA((file) => Object.assign(file.feature.tasks[0], { title: 'Fixed on A' }));
      const wanted = [
        { id: 1, title: 'Fixed on A', description: 'Described on B' },
        { id: 2, title: 'Feature two', description: 'Described on A' },
      ];
      await featureSettles(pair, a, b, wanted);
    });
  }

  it('joins a project whose stored snapshot holds a broken tag (as earlier servers stored one), leaving that tag out', async () => {
    const url = await cluster.createDatabase(`team_e2e_${process.pid}_${++databases}`);
    const project = `project-${databases}`;
    const feature = { tasks: [{ id: 1, title: null, status: 'pending' }] };
    const opened = await openTeamProject({ url, project }, undefined, { createWith: () => ({ ...(smallFile(2) as object), feature }) as never });
    await opened.db.close();
    const member = await makeMember('B', { url, project }, smallFile(2));
    const b = await serve(member);
    await connected(b);
    expect(Object.keys(await tasksOf(member))).toEqual(['master']);
    const writer = await b.client();
    await writer.result('task.update', { id: '1', changes: { title: 'Edited on B' } });
    await eventually(async () => expect((await rowsIn(url)).count).toBe(1), 30_000);
  });
});
