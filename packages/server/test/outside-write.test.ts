import { describe, expect, it } from 'vitest';
import type { TasksFile } from '@taskmaster/protocol';
import { planOutsideWrite, staleTouched } from '../src/state/outside-write.js';
import type { RecentVersion } from '../src/state/recent-versions.js';

/*
 * How the server reads an outside write it cannot see the making of: which
 * recent version it was made from, and so what it changed. Each case is a
 * race seen while Task Master-like writers wrote beside our clients
 * (stale-writers.test.ts), where the wrong reading dropped a change.
 */

type Task = { id: number | string; title: string; description?: string; status?: string; subtasks?: Task[]; [field: string]: unknown };

const task = (id: number, more: Partial<Task> = {}): Task => ({ id, title: `Task ${id}`, description: `About ${id}`, status: 'pending', subtasks: [], ...more });
const file = (tasks: Task[]): TasksFile => ({ master: { tasks, metadata: {} } }) as unknown as TasksFile;
/** Task `id` of `data` changed by `change`, every other task shared. */
const edit = (data: TasksFile, id: number, change: (t: Task) => Task): TasksFile =>
  file(((data as unknown as { master: { tasks: Task[] } }).master.tasks).map((t) => (Number(t.id) === id ? change(t) : t)));
const tasksOf = (data: TasksFile) => (data as unknown as { master: { tasks: Task[] } }).master.tasks;

let hashes = 0;
function version(data: TasksFile, touched: string[] = [], stale = false): RecentVersion {
  return { data, hash: `h${++hashes}`, at: Date.now(), touched: touched.map((id) => ['master', id] as const), stale };
}
/** Plans `theirs` against `versions` (newest first; the first is the current one, on disk). */
function plan(theirs: TasksFile, versions: RecentVersion[], hash = `h${++hashes}`) {
  const [current] = versions;
  return planOutsideWrite({ data: theirs, hash }, current!, versions);
}

describe('planning an outside write', () => {
  const v1 = file([task(1), task(2), task(3)]);
  const v2 = edit(v1, 2, (t) => ({ ...t, status: 'done' }));
  const v3 = edit(v2, 3, (t) => ({ ...t, priority: 'high' }));

  it('reads a write equal in value to an older version, not in bytes, as a set-back made from a later one', () => {
    // Read v2 and set task 2 back to pending (ids retyped): equal to v1 in value. Our v3 came meanwhile.
    // Taken as an undo to v1 it would drop v3; merged against v1 it would drop the set-back.
    const theirs = file(tasksOf(v2).map((t) => ({ ...t, id: String(t.id), ...(t.id === 2 ? { status: 'pending' } : {}) })));
    const p = plan(theirs, [version(v3, ['3']), version(v2, ['2']), version(v1)]);
    expect(p.kind).toBe('rebase');
    const merged = p.kind === 'rebase' ? tasksOf(p.merged) : [];
    expect(merged.map((t) => [t.status, t.priority])).toEqual([['pending', undefined], ['pending', undefined], ['pending', 'high']]);
  });

  it('takes an exact older version (the same bytes) as an undo', () => {
    const older = version(v1);
    expect(plan(v1, [version(v3, ['3']), version(v2, ['2']), older], older.hash).kind).toBe('take');
  });

  it('does not take back a stale write the server merged away when the same bytes come again', () => {
    // A stale writer's copy (v1 plus its field on task 1) was merged into v3 as v4; it is written again.
    const stale = version(edit(v1, 1, (t) => ({ ...t, 'their-field': 1 })), ['1'], true);
    const v4 = edit(v3, 1, (t) => ({ ...t, 'their-field': 1 }));
    const p = plan(stale.data, [version(v4, ['1']), stale, version(v3, ['3']), version(v2, ['2']), version(v1)], stale.hash);
    expect(p.kind).toBe('rebase');
    const merged = p.kind === 'rebase' ? tasksOf(p.merged) : [];
    expect(merged.map((t) => [t.status, t.priority, t['their-field']])).toEqual([['pending', undefined, 1], ['done', undefined, undefined], ['pending', 'high', undefined]]);
  });

  it('keeps both subtasks when two writers each added subtask 1 to a task, the first one merged already', () => {
    const first = edit(v2, 1, (t) => ({ ...t, subtasks: [{ id: 1, title: 'First writer’s step', status: 'pending' }] }));
    const second = edit(v2, 1, (t) => ({ ...t, subtasks: [{ id: 1, title: 'Second writer’s step', status: 'pending' }] }));
    // The first was merged with our v3 into v4; the version both read (v2) is still recent.
    const v4 = edit(v3, 1, () => tasksOf(first)[0]!);
    const p = plan(second, [version(v4, ['1.1']), version(first, ['1.1'], true), version(v3, ['3']), version(v2, ['2']), version(v1)]);
    expect(p.kind).toBe('rebase');
    const merged = p.kind === 'rebase' ? tasksOf(p.merged) : [];
    expect(merged[0]!.subtasks!.map((s) => [s.id, s.title])).toEqual([
      [1, 'Second writer’s step'],
      [2, 'First writer’s step'],
    ]);
    expect(merged[2]!.priority).toBe('high');
  });

  it('keeps a stale write’s field when a sibling made from the same unseen read lacks it', () => {
    // Both writers read x, a version the server never saw (one that replaced it came within one look of
    // the watcher). The first added a field; the server merged it with ours into v4. The sibling is
    // nearest the first (one field apart each way), but lacks the first's field: not made from it.
    const x = edit(v2, 1, (t) => ({ ...t, status: 'review', details: 'x' }));
    const first = edit(x, 1, (t) => ({ ...t, 'first-field': 1 }));
    const second = edit(x, 2, (t) => ({ ...t, 'second-field': 2 }));
    const v4 = edit(edit(v3, 1, () => tasksOf(first)[0]!), 3, (t) => ({ ...t, notes: 'ours', owner: 'us' }));
    const p = plan(second, [version(v4, ['1', '3']), version(first, ['1'], true), version(v3, ['3']), version(v2, ['2']), version(v1)]);
    expect(p.kind).toBe('rebase');
    const merged = p.kind === 'rebase' ? tasksOf(p.merged) : [];
    expect(merged[0]).toMatchObject({ status: 'review', details: 'x', 'first-field': 1 });
    expect(merged[1]).toMatchObject({ status: 'done', 'second-field': 2 });
    expect(merged[2]).toMatchObject({ priority: 'high', notes: 'ours', owner: 'us' });
  });

  it('keeps a stale write’s field when a write made from an older read comes after another stale write made from it', () => {
    // The first writer added a field to task 1 from v2; the server merged it with ours into v4. A second
    // writer read the first's version while it was on disk and changed task 2, written back stale in turn.
    // A third wrote from y, a version before both the server never saw, whose task 2 is the second's: the
    // second is nearest, but the third lacks the field the second carries from the first.
    const first = edit(v2, 1, (t) => ({ ...t, 'first-field': 1 }));
    const firstVersion = version(first, ['1'], true);
    const y = edit(v2, 2, (t) => ({ ...t, status: 'review', details: 'y', owner: 'y' }));
    const second = edit(first, 2, () => tasksOf(y)[1]!);
    const third = edit(y, 3, (t) => ({ ...t, 'third-field': 3 }));
    const v4 = edit(v3, 1, () => tasksOf(first)[0]!);
    const secondVersion = version(second, [...staleTouched(firstVersion, second)].map(([, id]) => id), true);
    expect(secondVersion.touched).toEqual(expect.arrayContaining([['master', '1'], ['master', '2']]));
    const p = plan(third, [version(v4, ['1']), secondVersion, firstVersion, version(v3, ['3']), version(v2, ['2']), version(v1)]);
    expect(p.kind).toBe('rebase');
    const merged = p.kind === 'rebase' ? tasksOf(p.merged) : [];
    expect(merged[0]).toMatchObject({ 'first-field': 1 });
    expect(merged[1]).toMatchObject({ status: 'review', details: 'y', owner: 'y' });
    expect(merged[2]).toMatchObject({ priority: 'high', 'third-field': 3 });
  });

  it('keeps a stale write’s subtask when a sibling made from the same unseen read added another under its id', () => {
    // Both writers read x, which the server never saw (many fields from v2), and each added subtask 1 to
    // task 1. The server merged the first with our note into v4. The sibling is nearest the first (only the
    // subtask apart), and v4 holds the first's subtask too: neither is what the sibling was made from.
    const x = edit(edit(v2, 1, (t) => ({ ...t, status: 'review', details: 'x' })), 2, (t) => ({ ...t, a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8 }));
    const step = (title: string) => ({ id: 1, title, description: '', details: '', status: 'pending' });
    const first = edit(x, 1, (t) => ({ ...t, subtasks: [step('First writer’s step')] }));
    const second = edit(x, 1, (t) => ({ ...t, subtasks: [step('Second writer’s step')] }));
    const v4 = edit(edit(v3, 1, () => tasksOf(first)[0]!), 3, (t) => ({ ...t, note: 'ours' }));
    const p = plan(second, [version(v4, ['1.1', '3']), version(first, ['1.1'], true), version(v3, ['3']), version(v2, ['2']), version(v1)]);
    expect(p.kind).toBe('rebase');
    const merged = p.kind === 'rebase' ? tasksOf(p.merged) : [];
    expect(merged[0]!.subtasks!.map((s) => [s.id, s.title])).toEqual([
      [1, 'Second writer’s step'],
      [2, 'First writer’s step'],
    ]);
    expect(merged[1]).toMatchObject({ status: 'done', a: 1, h: 8 });
    expect(merged[2]).toMatchObject({ priority: 'high', note: 'ours' });
  });

  describe('a write made from an unseen chain older than a merge the server wrote', () => {
    // A writer added subtask 1.1 to v3 as x, which the server never saw. Another wrote x back stale with a
    // field on task 2; the server merged it with our note on task 3 and wrote that as m. A third writer
    // built on x too (task 4's status) and lacks the field and our note. m is nearest (three fields apart,
    // two of them dropped; v3 six, none dropped), but the third has task 2 and task 3 without what m gave
    // them: made from before m, not a removal of a field and a note.
    const four = file([...tasksOf(v3), task(4)]);
    const x = edit(four, 1, (t) => ({ ...t, subtasks: [{ id: 1, title: 'Step', description: 'd', details: '', status: 'pending' }] }));
    const stale = edit(x, 2, (t) => ({ ...t, 'their-field': 1 }));
    const m = edit(edit(edit(four, 1, () => tasksOf(x)[0]!), 2, () => tasksOf(stale)[1]!), 3, (t) => ({ ...t, note: 'ours' }));
    const third = edit(x, 4, (t) => ({ ...t, status: 'review' }));
    const history = () => [version(stale, ['1.1', '2'], true), version(four, ['4']), version(v3, ['3'])];
    const expectAllKept = (p: ReturnType<typeof plan>) => {
      expect(p.kind).toBe('rebase');
      const merged = p.kind === 'rebase' ? tasksOf(p.merged) : [];
      expect(merged.map((t) => [t.id, t.subtasks?.length, t['their-field'], t.note, t.status])).toEqual([
        [1, 1, undefined, undefined, 'pending'],
        [2, 0, 1, undefined, 'done'],
        [3, 0, undefined, 'ours', 'pending'],
        [4, 0, undefined, undefined, 'review'],
      ]);
    };

    it('keeps the merge’s field and our note when the merge is on disk', () => {
      expectAllKept(plan(third, [version(m, ['3', '1.1', '2']), ...history()]));
    });

    it('keeps them when the merge was replaced before it was written, and clients hold it', () => {
      const written = version(m, ['3', '1.1', '2']);
      const announced = { ...version(m, []), hash: undefined };
      expectAllKept(planOutsideWrite({ data: third, hash: `h${++hashes}` }, announced, [written, ...history()]));
    });
  });
});
