import { describe, expect, it } from 'vitest';
import { dismissNotice, overriddenNoticeId, overriddenText, putBackUpdate, stillOverridden, withOverridden, type TasksFile } from '../src/index.js';

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

describe('stillOverridden: whether what another program wrote over still stands', () => {
  const file = (task: Record<string, unknown>, tag = 'master'): TasksFile =>
    ({ [tag]: { tasks: [{ id: 5, title: 'Five', status: 'pending', dependencies: [], subtasks: [{ id: 2, status: 'pending', dependencies: [], ...task }] }], metadata: {} } }) as unknown as TasksFile;
  const titleOver = { tag: 'master', id: '5.2', fields: ['title', 'details'], ours: { title: 'Ours', details: 'Ours' }, theirs: { title: 'Theirs' } };

  it('stands while the task holds their values, a field they left out still missing', () => {
    expect(stillOverridden(titleOver, file({ title: 'Theirs', priority: 'high' }))).toBe(true);
  });

  it('is over once the change is put back or the fields are edited again, or the task is gone', () => {
    expect(stillOverridden(titleOver, file({ title: 'Ours' }))).toBe(false);
    expect(stillOverridden(titleOver, file({ title: 'Theirs', details: 'Someone else' }))).toBe(false);
    expect(stillOverridden(titleOver, file({ title: 'Theirs' }, 'other'))).toBe(false);
  });

  it('follows a task or tag one side deleted: a value held as undefined counts as none, as on the wire', () => {
    const theyDeleted = { tag: 'master', id: '5.2', fields: ['*'], ours: { '*': { id: 2 } }, theirs: { '*': undefined } };
    expect(stillOverridden(theyDeleted, file({ title: 'Back' }))).toBe(false);
    expect(stillOverridden(theyDeleted, file({ title: 'Back' }, 'other'))).toBe(true);
    const weDeleted = { tag: 'master', id: '5.2', fields: ['*'], ours: {}, theirs: { '*': { id: 2, title: 'Kept' } } };
    expect(stillOverridden(weDeleted, file({ title: 'Kept' }))).toBe(true);
    expect(stillOverridden({ tag: 'feature', id: '*', fields: ['*'], ours: { '*': {} }, theirs: {} }, file({ title: 'x' }))).toBe(true);
    expect(stillOverridden({ tag: 'master', id: '*', fields: ['*'], ours: { '*': {} }, theirs: {} }, file({ title: 'x' }))).toBe(false);
  });
});

describe('withOverridden: the list the server, the board and VS Code keep', () => {
  const file = { master: { tasks: [{ id: 1, title: 'Theirs 1', status: 'pending', dependencies: [] }, { id: 2, title: 'Theirs 2', status: 'pending', dependencies: [] }], metadata: {} } } as unknown as TasksFile;
  const over = (id: string, theirs: string, revision: number) => ({ tag: 'master', id, fields: ['title'], ours: { title: 'Ours' }, theirs: { title: theirs }, revision });

  it('keeps per task the latest notice that still stands, last in the list', () => {
    const first = over('1', 'Theirs 1', 1);
    const two = over('2', 'Theirs 2', 2);
    const again = over('1', 'Theirs 1', 3);
    expect(withOverridden([first], [two, again], file)).toEqual([two, again]);
    // One that no longer stands leaves the task's earlier notice as it was.
    expect(withOverridden([first], [over('1', 'Someone else', 4)], file)).toEqual([first]);
    expect(withOverridden([], [over('1', 'Someone else', 4)], undefined)).toEqual([over('1', 'Someone else', 4)]);
  });
});

describe('overriddenText: what was written over, as the board and the CLI say it', () => {
  it('names the fields written over and their values here, a field removed here as removed, a long value cut at 80 characters', () => {
    expect(overriddenText({ tag: 'master', id: '3', fields: ['title'], ours: { title: 'Ours' }, theirs: { title: 'Theirs' } })).toBe(
      `Another program wrote over task 3's title, changed here meanwhile; its value was kept. Here: title "Ours".`,
    );
    const long = 'x'.repeat(100);
    expect(overriddenText({ tag: 'master', id: '3.1', fields: ['details', 'dependencies', 'testStrategy'], ours: { details: long, dependencies: [1, 2] }, theirs: {} })).toBe(
      `Another program wrote over task 3.1's details, dependencies, testStrategy, changed here meanwhile; its values were kept. Here: details "${'x'.repeat(79)}…", dependencies "[1,2]", testStrategy removed.`,
    );
  });

  it('says which delete was kept, and names the history snapshot that brings back the version before', () => {
    expect(overriddenText({ tag: 'master', id: '4', fields: ['*'], ours: { '*': { id: 4 } }, theirs: {}, snapshot: 's1' })).toBe(
      `Another program deleted task 4 while it was being changed here; the delete was kept. 'taskmaster history restore s1' brings back the version before.`,
    );
    expect(overriddenText({ tag: 'master', id: '4', fields: ['*'], ours: {}, theirs: { '*': { id: 4 } } })).toBe(`Task 4 was deleted here while another program changed it; its version was kept.`);
    expect(overriddenText({ tag: 'feature', id: '*', fields: ['*'], ours: { '*': {} }, theirs: {}, snapshot: 's2' })).toBe(
      `Another program deleted tag feature while it was being changed here; the delete was kept. 'taskmaster history restore s2' brings back the version before.`,
    );
  });
});

describe('overriddenNoticeId: one notice named across restarts of the server', () => {
  const notice = { tag: 'master', id: '3', fields: ['title'], ours: { title: 'Ours' }, theirs: { title: 'Theirs' }, snapshot: '2026-12-04T10-00-00.000Z-000', revision: 7 };

  it('is the same for the notice announced again with another revision, and differs when anything it says differs', () => {
    expect(overriddenNoticeId({ ...notice, revision: 1 })).toBe(overriddenNoticeId(notice));
    const others = [
      { ...notice, tag: 'feature' },
      { ...notice, id: '3.1' },
      { ...notice, fields: ['title', 'details'] },
      { ...notice, ours: { title: 'Ours again' } },
      { ...notice, theirs: { title: 'Theirs again' } },
      { ...notice, snapshot: undefined },
    ];
    const ids = new Set([notice, ...others].map(overriddenNoticeId));
    expect(ids.size).toBe(others.length + 1);
  });
});

describe('dismissNotice: what dismissing one notice by its name leaves', () => {
  const first = { tag: 'master', id: '3', fields: ['title'], ours: { title: 'Ours' }, theirs: { title: 'Theirs' }, revision: 4 };
  const second = { ...first, id: '4', revision: 5 };

  it('drops the notice named, announced again with another revision too, and keeps the others in order', () => {
    expect(dismissNotice([first, second], overriddenNoticeId({ ...first, revision: 9 }))).toEqual({ dismissed: first, rest: [second] });
  });

  it('drops nothing for a name no notice has: a newer change of the same task is another notice', () => {
    const list = [first, second];
    const result = dismissNotice(list, overriddenNoticeId({ ...first, ours: { title: 'Ours again' } }));
    expect(result).toEqual({ dismissed: undefined, rest: list });
    expect(result.rest).not.toBe(list);
  });
});
