import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffTasksFiles, type FieldConflict, type TasksFile, type TeamOp } from '@taskmaster/protocol';
import { describeRun, makeScratchHome, runTaskMaster, tasksFile } from '@taskmaster/task-master-runner';
import { describe, expect, it } from 'vitest';
import { TeamCodec } from '../src/codec.js';
import { FieldWriters } from '../src/field-writers.js';
import { applyTeamOps, teamOpsOf } from '../src/team-ops.js';

const FIXTURE = fileURLToPath(new URL('../../../../shared/fixtures/taskmaster-repo-tasks.json', import.meta.url));
const fixture = (): TasksFile => JSON.parse(readFileSync(FIXTURE, 'utf8'));

type Edit = (file: Record<string, any>) => void;
const master = (file: Record<string, any>) => file.master.tasks as Array<Record<string, any>>;
const remove = (id: number): Edit => (file) => void master(file).splice(master(file).findIndex((t) => t.id === id), 1);
const set = (id: number, field: string, value: string): Edit => (file) => void (master(file).find((t) => t.id === id)![field] = value);

/** The ops a member's `edit` of `seen` (its version of the file) puts in the log, as they come out of it. */
function rowOf(seen: TasksFile, edit: Edit): TeamOp[] {
  const after = structuredClone(seen) as Record<string, any>;
  edit(after);
  return rowBetween(seen, after as TasksFile);
}

/** The ops of a member whose file went from `seen` to `after`, as they come out of the log. */
function rowBetween(seen: TasksFile, after: TasksFile): TeamOp[] {
  const codec = new TeamCodec('p', undefined);
  return codec.decodeChange('c', codec.encodeChange('c', teamOpsOf(seen, after, diffTasksFiles(seen, after))));
}

/** `file` as the real Task Master (task-master-ai 0.43.1) leaves it after `move --from=<from> --to=<to>` in a project of its own. */
async function movedByTaskMaster(file: TasksFile, from: number, to: number): Promise<TasksFile> {
  const root = await mkdtemp(join(tmpdir(), 'tm-team-move-'));
  const home = await makeScratchHome();
  try {
    await mkdir(join(root, '.taskmaster', 'tasks'), { recursive: true });
    await writeFile(tasksFile(root), JSON.stringify(file, null, 2));
    const run = await runTaskMaster(root, ['move', `--from=${from}`, `--to=${to}`], { home });
    expect(run.code, describeRun(run)).toBe(0);
    return JSON.parse(await readFile(tasksFile(root), 'utf8')) as TasksFile;
  } finally {
    await rm(root, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  }
}

/** A member reading rows of the log, as a pull does: what each overrode, and what of that this member is told. */
class Member {
  readonly file = fixture();
  readonly writers = new FieldWriters();

  /** Applies one row; returns the overrides this member is told of (id and field). */
  read(ops: TeamOp[], here: boolean): string[] {
    const found: FieldConflict[] = [];
    const applied = applyTeamOps(this.file, ops, here ? undefined : found);
    const told = found.filter((c) => this.writers.overridesOurs(c, applied)).map((c) => `${c.id} ${c.field}`);
    this.writers.note(applied, here);
    return told;
  }
}

describe('who a pull tells of an override: the member whose change it was', () => {
  it('a field two others changed without seeing each other: only the one whose value was overridden is told', () => {
    const start = fixture();
    const fromA = rowOf(start, set(7, 'details', 'A'));
    const fromB = rowOf(start, set(7, 'details', 'B'));
    const a = new Member();
    const c = new Member();
    expect([a.read(fromA, true), a.read(fromB, false)]).toEqual([[], ['7 details']]);
    expect([c.read(fromA, false), c.read(fromB, false)]).toEqual([[], []]);
    expect(c.file).toEqual(a.file);
  });

  it("a delete over a change it did not see: told to the member whose field it dropped, not for a field the deleter saw", () => {
    const start = fixture();
    // A changes task 7's title; B sees that, and C changes its details meanwhile; then B deletes it.
    const title = rowOf(start, set(7, 'title', 'Renamed by A'));
    const seenByB = structuredClone(start);
    applyTeamOps(seenByB, title);
    const details = rowOf(start, set(7, 'details', 'C works on 7'));
    const deleted = rowOf(seenByB, remove(7));
    const a = new Member();
    const c = new Member();
    expect([a.read(title, true), a.read(details, false), a.read(deleted, false)]).toEqual([[], [], []]);
    expect([c.read(title, false), c.read(details, true), c.read(deleted, false)]).toEqual([[], [], ['7 *']]);
    expect(master(c.file).some((t) => t.id === 7)).toBe(false);
  });

  it('an update of a task deleted meanwhile: told to the member that deleted it', () => {
    const start = fixture();
    const deleted = rowOf(start, remove(8));
    const updated = rowOf(start, set(8, 'details', 'B works on 8'));
    const a = new Member();
    const c = new Member();
    expect([a.read(deleted, true), a.read(updated, false)]).toEqual([[], ['8 *']]);
    expect([c.read(deleted, false), c.read(updated, false)]).toEqual([[], []]);
    expect(master(c.file).find((t) => t.id === 8)?.details).toBe('B works on 8');
  });

  it("follows a task another member renumbered with the real Task Master's move: its fields' writers go with it to its new id", async () => {
    const start = fixture();
    // A changes task 9; C, having seen that, renumbers it to 300 with Task Master's `move --from=9 --to=300`;
    // B changed it meanwhile, as its server sends it once it has seen the move (task 300, from its old details).
    const fromA = rowOf(start, set(9, 'details', 'A works on 9'));
    const seenByC = structuredClone(start);
    applyTeamOps(seenByC, fromA);
    const afterMove = await movedByTaskMaster(seenByC, 9, 300);
    const moved = rowBetween(seenByC, afterMove);
    expect(moved.some((op) => 'change' in op && op.change.event === 'task.moved' && op.change.payload.id === '300')).toBe(true);
    const seenByB = structuredClone(afterMove) as Record<string, any>;
    master(seenByB).find((t) => Number(t.id) === 300)!.details = master(start as Record<string, any>).find((t) => t.id === 9)!.details;
    const fromB = rowOf(seenByB as TasksFile, (file) => void (master(file).find((t) => Number(t.id) === 300)!.details = 'B works on 9'));
    const a = new Member();
    const c = new Member();
    expect([a.read(fromA, true), a.read(moved, false), a.read(fromB, false)]).toEqual([[], [], ['300 details']]);
    expect([c.read(fromA, false), c.read(moved, true), c.read(fromB, false)]).toEqual([[], [], []]);
  }, 60_000);

  it('told when who wrote the overridden value is not known: written before the file was loaded, or forgotten with it', () => {
    const start = fixture();
    const fromA = rowOf(start, set(9, 'details', 'A'));
    const fromB = rowOf(start, set(9, 'details', 'B'));
    const loaded = new Member();
    // A row applied as the file was loaded (no writer noted), then a pull.
    applyTeamOps(loaded.file, fromA);
    expect(loaded.read(fromB, false)).toEqual(['9 details']);
    const reloaded = new Member();
    reloaded.read(fromA, false);
    reloaded.writers.clear();
    expect(reloaded.read(fromB, false)).toEqual(['9 details']);
  });
});
