import { describe, expect, it } from 'vitest';
import { putBackUpdate } from '../src/index.js';

describe('putBackUpdate: the task.update that undoes a sync.conflict', () => {
  it('sets each field written over back to its value here, subtasks included', () => {
    expect(putBackUpdate({ tag: 'master', id: '5.2', fields: ['title', 'dependencies'], ours: { title: 'Ours', dependencies: [1] }, theirs: { title: 'Theirs', dependencies: [] } })).toEqual({
      tag: 'master',
      id: '5.2',
      changes: { title: 'Ours', dependencies: [1] },
    });
  });

  it('has none for a task or tag one side deleted, or for a field removed here: those come back from history', () => {
    expect(putBackUpdate({ tag: 'master', id: '3', fields: ['*'], ours: { id: 3, title: 'Ours' }, theirs: {}, snapshot: 's1' })).toBeUndefined();
    expect(putBackUpdate({ tag: 'feature', id: '*', fields: ['*'], ours: {}, theirs: {} })).toBeUndefined();
    expect(putBackUpdate({ tag: 'master', id: '3', fields: ['details', 'title'], ours: { title: 'Ours' }, theirs: { details: 'Theirs', title: 'T' } })).toBeUndefined();
  });
});
