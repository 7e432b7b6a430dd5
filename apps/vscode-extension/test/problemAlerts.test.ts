import { describe, expect, it } from 'vitest';
import type { ServerProblems } from '@taskmaster/client';
import { alertOnNewProblems, conflictAlert, overwrittenNotice, problemAlerts } from '../src/problemAlerts.js';

const none: ServerProblems = { file: undefined, tags: {} };
const badFile: ServerProblems = { file: { kind: 'invalid', message: 'tasks.json is not valid JSON at line 3, column 1' }, tags: {} };
const brokenFeature: ServerProblems = { file: undefined, tags: { feature: 'task 2, field title: expected string, received null' } };

/** What Connection gives alertOnNewProblems: the current problems and a change event. */
function problemSource() {
  let current = none;
  const listeners = new Set<() => void>();
  return {
    problems: () => current,
    onChange: (listener: () => void) => {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    set(next: ServerProblems) {
      current = next;
      for (const l of listeners) l();
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('problemAlerts', () => {
  it('alerts once per problem that starts, never for one that stays or ends', () => {
    expect(problemAlerts(none, badFile)).toEqual(['TaskMaster: the tasks file is invalid (tasks.json is not valid JSON at line 3, column 1); the last good version is shown. Fix the file and save.']);
    expect(problemAlerts(badFile, badFile)).toEqual([]);
    expect(problemAlerts(badFile, none)).toEqual([]);
    expect(problemAlerts(badFile, { file: { kind: 'missing', message: 'tasks.json was removed' }, tags: {} })).toEqual([expect.stringMatching(/^TaskMaster: tasks\.json is missing;/)]);
    expect(problemAlerts(none, brokenFeature)).toEqual([expect.stringMatching(/^TaskMaster: tasks\.json is invalid in tag feature, task 2, field title: .*Other tags work\.$/)]);
    expect(problemAlerts(brokenFeature, brokenFeature)).toEqual([]);
  });
});

describe('alertOnNewProblems', () => {
  it('takes the first state as it is, alerts for a problem that starts later, and not for one a burst of events started and ended', async () => {
    const source = problemSource();
    const shown: string[] = [];
    const alerts = alertOnNewProblems(source.problems, source.onChange, (a) => shown.push(a));

    // Already broken when the window opened: the tree says so, no pop-up.
    source.set(brokenFeature);
    await tick();
    expect(shown).toEqual([]);

    // A resync after a disconnect pulls the bad file and the version that mended it, in one go.
    source.set({ ...brokenFeature, file: badFile.file });
    source.set(brokenFeature);
    await tick();
    expect(shown).toEqual([]);

    // Goes bad while connected: one pop-up, and none while it stays bad.
    source.set({ ...brokenFeature, file: badFile.file });
    await tick();
    source.set({ ...brokenFeature, file: badFile.file });
    await tick();
    expect(shown).toEqual([expect.stringMatching(/the tasks file is invalid/)]);

    alerts.dispose();
    source.set(none);
    source.set({ file: { kind: 'missing', message: 'gone' }, tags: {} });
    await tick();
    expect(shown).toHaveLength(1);
  });
});

describe('conflictAlert', () => {
  it("says one conflict in the board's words, and several in one pop-up naming each task once", () => {
    const over = (id: string, field: string) => ({ tag: 'master', id, fields: [field], ours: { [field]: 'Ours' }, theirs: { [field]: 'Theirs' } });
    expect(conflictAlert([over('3', 'title')])).toBe(`TaskMaster: Another program wrote over task 3's title, changed here meanwhile; its value was kept. Here: title "Ours".`);
    expect(conflictAlert([over('3', 'title'), over('5.1', 'status'), over('3', 'details')])).toBe(
      'TaskMaster: Another program wrote over changes made here to tasks 3 and 5.1; its values were kept.',
    );
  });
});

describe('overwrittenNotice', () => {
  it("says one change in the board's words, several by task, each with the command that puts one back", () => {
    const title = { tag: 'master', id: '3', fields: ['title'], ours: { title: 'Ours' }, theirs: { title: 'Theirs' } };
    expect(overwrittenNotice([])).toBeUndefined();
    expect(overwrittenNotice([title])).toBe(
      `Another program wrote over task 3's title, changed here meanwhile; its value was kept. Here: title "Ours". Run "TaskMaster: Put Back Overwritten Change" to put it back, or "TaskMaster: Dismiss Overwritten Change" to keep what it wrote.`,
    );
    expect(overwrittenNotice([title, { ...title, id: '5.1' }])).toBe(
      'Another program wrote over changes made here to tasks 3 and 5.1; its values were kept. Run "TaskMaster: Put Back Overwritten Change" to put one back, or "TaskMaster: Dismiss Overwritten Change" to keep what it wrote.',
    );
    // A delete has no update to put it back: the history snapshot named, and the dismissal.
    expect(overwrittenNotice([{ tag: 'master', id: '4', fields: ['*'], ours: { '*': { id: 4 } }, theirs: {}, snapshot: 's1' }])).toBe(
      `Another program deleted task 4 while it was being changed here; the delete was kept. 'taskmaster history restore s1' brings back the version before. Run "TaskMaster: Dismiss Overwritten Change" to keep what it wrote.`,
    );
  });
});
