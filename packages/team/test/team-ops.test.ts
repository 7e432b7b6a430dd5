import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { diffTasksFiles, TeamChangePayloadSchema, type TasksFile } from '@taskmaster/protocol';
import { describe, expect, it } from 'vitest';
import { TeamCodec } from '../src/codec.js';
import { applyTeamOps, teamOpsOf } from '../src/team-ops.js';

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
