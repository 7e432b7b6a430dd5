import { describe, expect, it } from 'vitest';
import { mergeTask } from '../src/index.js';

const base = { id: 1, title: 'T', description: 'D', status: 'pending', priority: 'low' };

describe('mergeTask', () => {
  it('merges fields changed on one side only', () => {
    const mine = { ...base, status: 'done' };
    const theirs = { ...base, title: 'T2' };
    const { merged, conflicts } = mergeTask(base, mine, theirs);
    expect(conflicts).toEqual([]);
    expect(merged).toEqual({ ...base, status: 'done', title: 'T2' });
  });

  it('reports a field changed on both sides to different values', () => {
    const { merged, conflicts } = mergeTask(base, { ...base, title: 'mine' }, { ...base, title: 'theirs' });
    expect(conflicts).toEqual(['title']);
    expect(merged.title).toBe('theirs');
  });

  it('does not report a field both sides changed the same way', () => {
    const { conflicts } = mergeTask(base, { ...base, status: 'done' }, { ...base, status: 'done' });
    expect(conflicts).toEqual([]);
  });

  it('keeps fields added or removed by one side', () => {
    const mine: Record<string, unknown> = { ...base, custom: 1 };
    const theirs: Record<string, unknown> = { ...base };
    delete theirs.priority;
    const { merged, conflicts } = mergeTask<Record<string, unknown>>(base, mine, theirs);
    expect(conflicts).toEqual([]);
    expect(merged).toEqual({ id: 1, title: 'T', description: 'D', status: 'pending', custom: 1 });
  });

  it('merges subtasks one by one and names a subtask field in conflict', () => {
    const b = { ...base, subtasks: [{ id: 1, title: 'a', status: 'pending' }, { id: 2, title: 'b', status: 'pending' }] };
    const mine = { ...b, subtasks: [{ id: 1, title: 'a', status: 'done' }, { id: 2, title: 'b!', status: 'pending' }] };
    const theirs = { ...b, subtasks: [{ id: 1, title: 'a2', status: 'pending' }, { id: 2, title: 'b?', status: 'pending' }] };
    const { merged, conflicts } = mergeTask(b, mine, theirs);
    expect(conflicts).toEqual(['subtasks.2.title']);
    expect(merged.subtasks[0]).toEqual({ id: 1, title: 'a2', status: 'done' });
  });
});
