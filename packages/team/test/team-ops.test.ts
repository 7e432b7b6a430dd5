import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { diffTasksFiles, TeamChangePayloadSchema, type FieldConflict, type TasksFile } from '@taskmaster/protocol';
import { describe, expect, it } from 'vitest';
import { TeamCodec } from '../src/codec.js';
import { IdRenames } from '../src/id-renames.js';
import { applyTeamOps, dependencyFixesOf, isTaskOp, renumberingsOf, teamOpsOf, withTagOrderOf } from '../src/team-ops.js';

const FIXTURE = fileURLToPath(new URL('../../../../shared/fixtures/taskmaster-repo-tasks.json', import.meta.url));
const fixture = (): Record<string, any> => JSON.parse(readFileSync(FIXTURE, 'utf8'));

/** `edit` made to a copy of the fixture, as Task Master's tag verbs make it. */
function edited(edit: (file: Record<string, any>) => void): { before: TasksFile; after: TasksFile } {
  const before = fixture();
  const after = structuredClone(before);
  edit(after);
  return { before: before as TasksFile, after: after as TasksFile };
}

/** What another member's file becomes from `before` once it applies what travels for `before` → `after`. */
function travelled(before: TasksFile, after: TasksFile): { ops: ReturnType<typeof teamOpsOf>; there: TasksFile } {
  const ops = teamOpsOf(before, after, diffTasksFiles(before, after));
  const codec = new TeamCodec('p', undefined);
  const there = structuredClone(before);
  applyTeamOps(there, codec.decodeChange('c', codec.encodeChange('c', ops)));
  return { ops, there };
}

describe('tags between members', () => {
  it('adds a tag made empty, with its metadata', () => {
    const { before, after } = edited((f) => (f['sprint-9'] = { tasks: [], metadata: { created: '2026-12-05T00:00:00.000Z', description: 'Next sprint' } }));
    const { ops, there } = travelled(before, after);
    expect(ops).toEqual([{ tagAdded: 'sprint-9', fields: { metadata: { created: '2026-12-05T00:00:00.000Z', description: 'Next sprint' } } }]);
    expect(there).toEqual(after);
    expect(Object.keys(there)).toEqual(Object.keys(after));
  });

  it('renames a tag: the new name last with every task and subtask, the old name gone', () => {
    const { before, after } = edited((f) => {
      const loop = f.loop;
      delete f.loop;
      f['loop-2'] = loop;
      loop.metadata.renamed = { from: 'loop', date: '2026-12-05T00:00:00.000Z' };
    });
    const { ops, there } = travelled(before, after);
    expect(ops[0]).toMatchObject({ tagAdded: 'loop-2', fields: { metadata: { renamed: { from: 'loop' } } } });
    expect(ops.at(-1)).toEqual({ tagDeleted: 'loop' });
    expect(there).toEqual(after);
    expect(Object.keys(there)).toEqual(Object.keys(after));
  });

  it('deletes a tag with its tasks; copies one', () => {
    const deleted = edited((f) => delete f['test-tag']);
    expect(travelled(deleted.before, deleted.after).there).toEqual(deleted.after);
    const copied = edited((f) => (f['loop-copy'] = structuredClone(f.loop)));
    expect(travelled(copied.before, copied.after).there).toEqual(copied.after);
  });

  it('keeps a tag added here meanwhile, and deletes nothing that is already gone', () => {
    const here = { master: { tasks: [] }, sprint: { tasks: [{ id: 1, title: 'Made here', status: 'pending' }] } } as unknown as TasksFile;
    applyTeamOps(here, [{ tagAdded: 'sprint', fields: { metadata: { description: 'Made there' } } }, { tagDeleted: 'gone-already' }]);
    expect(here).toEqual({ master: { tasks: [] }, sprint: { tasks: [{ id: 1, title: 'Made here', status: 'pending' }] } });
  });

  it('leaves an untagged (legacy) file alone, and sends no tag operations for one', () => {
    const legacy = { tasks: [{ id: 1, title: 'One', status: 'pending' }] } as unknown as TasksFile;
    applyTeamOps(legacy, [{ tagAdded: 'sprint' }, { tagDeleted: 'master' }]);
    expect(legacy).toEqual({ tasks: [{ id: 1, title: 'One', status: 'pending' }] });
    const after = { tasks: [{ id: 1, title: 'One', status: 'done' }] } as unknown as TasksFile;
    expect(teamOpsOf(legacy, after, diffTasksFiles(legacy, after)).every((op) => 'change' in op)).toBe(true);
  });

  it('takes `__proto__` as a tag name like any other', () => {
    const { before, after } = edited((f) => Object.defineProperty(f, '__proto__', { value: { tasks: [] }, enumerable: true, configurable: true, writable: true }));
    const { there } = travelled(before, after);
    expect(Object.prototype.hasOwnProperty.call(there, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(there)).toBe(Object.prototype);
  });
});

describe('the order of tags after a pull', () => {
  const file = (...tags: string[]) => Object.fromEntries(tags.map((t) => [t, { tasks: [] }])) as unknown as TasksFile;

  it("is the team's for the team's tags, wherever this machine put them; a tag of its own stays in its place", () => {
    // Here: `mine` (a broken tag the team never sees) between master and `from-b`, added here before `from-a` came.
    const local = file('master', 'mine', 'from-b');
    const merged = file('master', 'from-b', 'from-a', 'mine');
    const team = file('master', 'from-a', 'from-b');
    expect(Object.keys(withTagOrderOf(merged, local, team))).toEqual(['master', 'mine', 'from-a', 'from-b']);
  });

  it('leaves a file already in order as it is', () => {
    const merged = file('master', 'x');
    expect(withTagOrderOf(merged, file('master'), file('master', 'x'))).toBe(merged);
  });
});

describe('the change rows', () => {
  // The reader of every earlier version: `v` and task operations, other fields dropped.
  const earlierReader = TeamChangePayloadSchema.omit({ tags: true });

  it('are read by a member of an earlier version, which gets the task operations of a rename', () => {
    const { before, after } = edited((f) => {
      f['tm-begin'] = f['tm-start'];
      delete f['tm-start'];
    });
    const ops = teamOpsOf(before, after, diffTasksFiles(before, after));
    const row = JSON.parse(new TeamCodec('p', undefined).encodeChange('c', ops).toString('utf8'));
    const read = earlierReader.parse(row);
    expect(read.ops.length).toBe(ops.length - 2);
    expect(read.ops.every((op) => op.change.payload.tag === 'tm-start' || op.change.payload.tag === 'tm-begin')).toBe(true);
  });

  it('of task operations alone hold what they held before tags travelled', () => {
    const { before, after } = edited((f) => (f.master.tasks[0].title = 'Changed'));
    const ops = teamOpsOf(before, after, diffTasksFiles(before, after));
    expect(Object.keys(JSON.parse(new TeamCodec('p', undefined).encodeChange('c', ops).toString('utf8')))).toEqual(['v', 'ops']);
  });

  it('refuse a tag operation of the wrong shape', () => {
    const codec = new TeamCodec('p', undefined);
    const row = (tags: unknown) => Buffer.from(JSON.stringify({ v: 1, ops: [], tags }));
    expect(() => codec.decodeChange('c', row([{ tagAdded: '' }]))).toThrow();
    expect(() => codec.decodeChange('c', row([{ tagAdded: 'x', fields: { metadata: 'not an object' } }]))).toThrow();
    expect(() => codec.decodeChange('c', row([{ tagDeleted: 'x', extra: true }]))).toThrow();
    expect(codec.decodeChange('c', row([{ tagDeleted: 'x' }, { tagAdded: 'y' }]))).toEqual([{ tagAdded: 'y' }, { tagDeleted: 'x' }]);
  });
});

describe('tasks two members created under one id', () => {
  /** A row's or an outbox's ops for a local version `before` → `after`. */
  const opsFor = (before: TasksFile, after: TasksFile) => teamOpsOf(before, after, diffTasksFiles(before, after));
  const base = (): Record<string, any> => ({ master: { tasks: [{ id: 1, title: 'One', status: 'done', dependencies: [] }] } });
  /** `base()` with task 2 as another member made it. */
  const theirs = (): Record<string, any> => {
    const f = base();
    f.master.tasks.push({ id: 2, title: 'Made by B', status: 'pending', dependencies: [] });
    return f;
  };

  it('keeps both: the one later in the order takes the next free id, and the move that put it in place takes it along', () => {
    const mine = base();
    // Put first in the list: the diff says so with a move.
    mine.master.tasks.unshift({ id: 2, title: 'Made by A', status: 'pending', dependencies: [1] });
    const ops = opsFor(base() as TasksFile, mine as TasksFile);
    expect(ops.map((op) => ('change' in op ? op.change.event : op))).toContain('task.moved');
    const file = theirs() as TasksFile;
    applyTeamOps(file, ops);
    const tasks = (file as any).master.tasks.map((t: any) => [t.id, t.title]);
    expect(tasks).toHaveLength(3);
    expect(tasks).toEqual(expect.arrayContaining([[1, 'One'], [2, 'Made by B'], [3, 'Made by A']]));
  });

  it('keeps one id for the same task seen twice', () => {
    const file = theirs() as TasksFile;
    applyTeamOps(file, opsFor(base() as TasksFile, theirs() as TasksFile));
    expect((file as any).master.tasks.map((t: any) => t.id)).toEqual([1, 2]);
  });

  it('renames in every entry of a run what the run wrote: the task, its update, its subtasks, a dependency on it, a second task it made', () => {
    // A's outbox, entry by entry: task 2 with subtasks; 2 edited; task 3 depending on 2 and on 2.1; a subtask 2.3 depending on its sibling 2.
    const v0 = base();
    const v1 = structuredClone(v0);
    v1.master.tasks.push({ id: 2, title: 'Made by A', status: 'pending', dependencies: [1], subtasks: [{ id: 1, title: 'A.1', status: 'pending', dependencies: [] }, { id: 2, title: 'A.2', status: 'pending', dependencies: [1], parentTaskId: 2 }] });
    const v2 = structuredClone(v1);
    v2.master.tasks[1].details = 'A edits its own';
    const v3 = structuredClone(v2);
    v3.master.tasks.push({ id: '3', title: 'Needs A', status: 'pending', dependencies: [2, '2.1'] });
    const v4 = structuredClone(v3);
    v4.master.tasks[1].subtasks.push({ id: 3, title: 'A.3', status: 'pending', dependencies: [2, '2.1'], parentTaskId: 2 });
    const entries = [opsFor(v0 as TasksFile, v1 as TasksFile), opsFor(v1 as TasksFile, v2 as TasksFile), opsFor(v2 as TasksFile, v3 as TasksFile), opsFor(v3 as TasksFile, v4 as TasksFile)];

    // B's task 2 and task 3 came first.
    const file = theirs();
    file.master.tasks.push({ id: 3, title: 'Also by B', status: 'pending', dependencies: [2] });
    const renames = new IdRenames();
    const applied = entries.map((ops) => applyTeamOps(file as TasksFile, ops, undefined, renames));
    const byTitle = new Map<string, any>(file.master.tasks.map((t: any) => [t.title, t]));
    expect(file.master.tasks.map((t: any) => t.id)).toEqual([1, 2, 3, 4, '5']);
    const a = byTitle.get('Made by A');
    expect(a).toMatchObject({ id: 4, details: 'A edits its own', dependencies: [1] });
    expect(a.subtasks).toEqual([
      { id: 1, title: 'A.1', status: 'pending', dependencies: [] },
      { id: 2, title: 'A.2', status: 'pending', dependencies: [1], parentTaskId: 4 },
      { id: 3, title: 'A.3', status: 'pending', dependencies: [2, '4.1'], parentTaskId: 4 },
    ]);
    // Its id as written (a string), the dependencies on A's task renamed, each as it was written.
    expect(byTitle.get('Needs A')).toMatchObject({ id: '5', dependencies: [4, '4.1'] });
    // B's tasks as B made them.
    expect(byTitle.get('Made by B')).toEqual({ id: 2, title: 'Made by B', status: 'pending', dependencies: [] });
    expect(byTitle.get('Also by B')).toEqual({ id: 3, title: 'Also by B', status: 'pending', dependencies: [2] });
    // What goes to the log: the entries as applied, so that another member applying them alone gets the same.
    const other = theirs();
    other.master.tasks.push({ id: 3, title: 'Also by B', status: 'pending', dependencies: [2] });
    for (const ops of applied) applyTeamOps(other as TasksFile, ops);
    expect(other).toEqual(file);
    // The entries were read, not changed.
    expect(entries[0]![0]).toMatchObject({ change: { payload: { id: '2' } } });
  });

  it('keeps both subtasks two members added to one task, and what depends on the renumbered one', () => {
    const start = base();
    start.master.tasks[0].subtasks = [{ id: 1, title: 'Step 1', status: 'done', dependencies: [] }];
    // A adds 1.2, then 1.3 after it; B had added its own 1.2.
    const a1 = structuredClone(start);
    a1.master.tasks[0].subtasks.push({ id: 2, title: 'A step', status: 'pending', dependencies: [1] });
    const a2 = structuredClone(a1);
    a2.master.tasks[0].subtasks.push({ id: 3, title: 'After A step', status: 'pending', dependencies: [2, '1.2'] });
    const file = structuredClone(start);
    file.master.tasks[0].subtasks.push({ id: 2, title: 'B step', status: 'pending', dependencies: [] });
    const renames = new IdRenames();
    for (const [from, to] of [[start, a1], [a1, a2]]) applyTeamOps(file as TasksFile, opsFor(from as TasksFile, to as TasksFile), undefined, renames);
    expect(file.master.tasks[0].subtasks).toEqual([
      { id: 1, title: 'Step 1', status: 'done', dependencies: [] },
      { id: 2, title: 'B step', status: 'pending', dependencies: [] },
      { id: 3, title: 'A step', status: 'pending', dependencies: [1] },
      { id: 4, title: 'After A step', status: 'pending', dependencies: [3, '1.3'] },
    ]);
  });

  it('renames nothing when no id was taken: the ops applied are the ops given', () => {
    const mine = base();
    mine.master.tasks.push({ id: 2, title: 'Made by A', status: 'pending', dependencies: [] });
    const ops = opsFor(base() as TasksFile, mine as TasksFile);
    const file = base() as TasksFile;
    const applied = applyTeamOps(file, ops);
    applied.forEach((op, i) => expect(op).toBe(ops[i]));
  });

  it('after a rename, hands back as given an entry that names nothing renamed (only renumbered entries are journalled)', () => {
    const mine = base();
    mine.master.tasks.push({ id: 2, title: 'Made by A', status: 'pending', dependencies: [] });
    const edited = structuredClone(mine);
    edited.master.tasks[0].title = 'One, edited by A';
    const renames = new IdRenames();
    const file = theirs() as TasksFile;
    const created = applyTeamOps(file, opsFor(base() as TasksFile, mine as TasksFile), undefined, renames);
    expect(created[0]).toMatchObject({ change: { payload: { id: '3' } } });
    const later = opsFor(mine as TasksFile, edited as TasksFile);
    const applied = applyTeamOps(file, later, undefined, renames);
    applied.forEach((op, i) => expect(op).toBe(later[i]));
  });
});

describe('dependencies on what another member deleted', () => {
  it('are dropped by task updates every member applies alike; a dependency that named nothing before stays', () => {
    const known = fixture() as TasksFile;
    // The team deleted task 7 and subtask 4.1 while a change of ours made task 9 depend on 7 and on 4.1.
    const merged = fixture();
    const master = merged.master.tasks as Array<Record<string, any>>;
    master.splice(master.findIndex((t) => t.id === 7), 1);
    master.find((t) => t.id === 4)!.subtasks.shift();
    master.find((t) => t.id === 9)!.dependencies = [1, 7, '4.1'];
    const there = structuredClone(merged);

    const drops = dependencyFixesOf(merged as TasksFile, [known]);
    // As the server's diff tells them: each subtask by its own event.
    expect(drops.map((op) => (isTaskOp(op) ? [op.change.event, op.change.payload.tag, op.change.payload.id, (op.change.payload as { changed: string[] }).changed] : op))).toEqual(
      ['4.2', '4.3', '4.4', '4.5', '8', '9', '10', '18', '26'].map((id) => ['task.updated', 'master', id, ['dependencies']]),
    );
    applyTeamOps(merged as TasksFile, drops);
    const byId = (id: number) => (merged.master.tasks as Array<Record<string, any>>).find((t) => t.id === id)!;
    expect(byId(8).dependencies).toEqual([3]);
    expect(byId(9).dependencies).toEqual([1]);
    expect(byId(10).dependencies).toEqual([]);
    // In a subtask a bare id is its sibling: 4.1 is gone from each.
    expect(byId(4).subtasks.map((s: Record<string, unknown>) => [s.id, s.dependencies])).toEqual([[2, []], [3, []], [4, [3]], [5, [3, 4]]]);
    // test-tag's task 1 depends on 16, which it never had: not a delete, left as it is.
    expect(merged['test-tag'].tasks[0].dependencies).toEqual([16]);
    expect(dependencyFixesOf(merged as TasksFile, [known])).toEqual([]);

    // Another member, where the same rows left the same file, gets the same file from the ops as they travel.
    const codec = new TeamCodec('p', undefined);
    applyTeamOps(there as TasksFile, codec.decodeChange('c', codec.encodeChange('c', drops)));
    expect(there).toEqual(merged);
  });

  it('follow a task renumbered by a move (Task Master\'s move --from=5 --to=7) instead of being dropped, dotted ones too', () => {
    const known = fixture() as TasksFile;
    // Ours moved task 5 to 7 (with its subtasks) while the team made task 9 depend on 5 and on 5.1.
    const before = fixture();
    const moved = structuredClone(before);
    const list = moved.master.tasks as Array<Record<string, any>>;
    const five = list.find((t) => t.id === 5)!;
    five.id = 7000;
    const ops = teamOpsOf(before as TasksFile, moved as TasksFile, diffTasksFiles(before as TasksFile, moved as TasksFile));
    expect(renumberingsOf(ops)).toEqual([{ tag: 'master', from: '5', to: '7000' }]);
    list.find((t) => t.id === 9)!.dependencies = [1, 5, '5.1'];

    const fixes = dependencyFixesOf(moved as TasksFile, [known], renumberingsOf(ops));
    applyTeamOps(moved as TasksFile, fixes);
    expect(list.find((t) => t.id === 9)!.dependencies).toEqual([1, 7000, '7000.1']);
    // Without the renumbering known, they name a task that is gone: dropped.
    const alone = structuredClone(moved);
    alone.master.tasks.find((t: Record<string, any>) => t.id === 9)!.dependencies = [1, 5, '5.1'];
    applyTeamOps(alone as TasksFile, dependencyFixesOf(alone as TasksFile, [known]));
    expect(alone.master.tasks.find((t: Record<string, any>) => t.id === 9)!.dependencies).toEqual([1]);
  });
});

describe('a delete and an update two members made without seeing each other', () => {
  /** The ops one member's change makes on the fixture, as they come out of the log. */
  function opsOf(edit: (file: Record<string, any>) => void) {
    const { before, after } = edited(edit);
    const codec = new TeamCodec('p', undefined);
    return codec.decodeChange('c', codec.encodeChange('c', teamOpsOf(before, after, diffTasksFiles(before, after))));
  }
  const master = (file: Record<string, any>) => file.master.tasks as Array<Record<string, any>>;
  const remove = (id: number) => (file: Record<string, any>) => void master(file).splice(master(file).findIndex((t) => t.id === id), 1);
  const setDetails = (id: number, details: string) => (file: Record<string, any>) => void (master(file).find((t) => t.id === id)!.details = details);

  it('keeps the later: an update brings the task back, told as overriding its delete', () => {
    const file = fixture() as TasksFile;
    applyTeamOps(file, opsOf(remove(7)));
    const conflicts: FieldConflict[] = [];
    applyTeamOps(file, opsOf(setDetails(7, 'Changed elsewhere')), conflicts);
    const seven = master(file).find((t) => t.id === 7)!;
    expect(seven.details).toBe('Changed elsewhere');
    expect(conflicts).toEqual([{ tag: 'master', id: '7', field: '*', ours: undefined, theirs: seven }]);
  });

  it('keeps the later: a delete drops the change it did not see, told with that change; a delete of the version it saw is no conflict', () => {
    const file = fixture() as TasksFile;
    applyTeamOps(file, opsOf(setDetails(7, 'Changed here')));
    const changed = structuredClone(master(file).find((t) => t.id === 7));
    const conflicts: FieldConflict[] = [];
    applyTeamOps(file, opsOf(remove(7)), conflicts);
    expect(master(file).some((t) => t.id === 7)).toBe(false);
    expect(conflicts).toEqual([{ tag: 'master', id: '7', field: '*', ours: changed, theirs: undefined }]);

    // Task Master writes ids as strings where the deleter's version had numbers: the same task, no conflict.
    const again = fixture() as TasksFile;
    for (const t of master(again)) t.id = String(t.id);
    const none: FieldConflict[] = [];
    applyTeamOps(again, opsOf(remove(8)), none);
    expect(master(again).some((t) => t.id === '8')).toBe(false);
    expect(none).toEqual([]);
  });
});
