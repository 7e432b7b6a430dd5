/**
 * Hand-made task files, each small enough to read in a failure message and built so the
 * verbs meet their edge cases: subtasks depending on siblings (`[1]`) and on other tasks'
 * subtasks (`"2.1"`), a task many others depend on, an in-progress parent, a deferred task,
 * a second tag.
 */

const meta = (description: string) => ({ created: '2025-01-01T00:00:00.000Z', updated: '2025-01-02T00:00:00.000Z', description });

const task = (id: number, title: string, status: string, priority: string, dependencies: Array<number | string>, subtasks: object[] = []) => ({
  id,
  title,
  description: `${title} description`,
  details: `${title} details`,
  testStrategy: `${title} test strategy`,
  status,
  priority,
  dependencies,
  subtasks,
});

const subtask = (id: number, title: string, status: string, dependencies: Array<number | string> = []) => ({
  id,
  title,
  description: `${title} description`,
  details: `${title} details`,
  status,
  dependencies,
});

/**
 * master:
 *  1 Setup      done         —         1.1 done, 1.2 done
 *  2 Core       in-progress  1         2.1 done, 2.2 pending ←2.1, 2.3 pending ←2.2
 *  3 API        pending      2         3.1 pending, 3.2 pending ←3.1 and ←"2.3"
 *  4 UI         pending      1
 *  5 Docs       pending      3, 4
 *  6 Later      deferred     —
 * feature:
 *  1 Flag       pending      —         1.1 pending
 *  2 Rollout    pending      1
 */
export function basicFile() {
  return {
    master: {
      tasks: [
        task(1, 'Setup', 'done', 'high', [], [subtask(1, 'Repo', 'done'), subtask(2, 'CI', 'done', [1])]),
        task(2, 'Core', 'in-progress', 'high', [1], [subtask(1, 'Model', 'done'), subtask(2, 'Store', 'pending', [1]), subtask(3, 'Cache', 'pending', [2])]),
        task(3, 'API', 'pending', 'medium', [2], [subtask(1, 'Routes', 'pending'), subtask(2, 'Auth', 'pending', [1, '2.3'])]),
        task(4, 'UI', 'pending', 'high', [1]),
        task(5, 'Docs', 'pending', 'low', [3, 4]),
        task(6, 'Later', 'deferred', 'medium', []),
      ],
      metadata: meta('Main tag'),
    },
    feature: {
      tasks: [task(1, 'Flag', 'pending', 'medium', [], [subtask(1, 'Toggle', 'pending')]), task(2, 'Rollout', 'pending', 'medium', [1])],
      metadata: meta('Feature work'),
    },
  };
}

/**
 * Every dependency problem validate-dependencies reports: a missing task (1→99), a subtask
 * 2-cycle (1.1↔1.2), a subtask depending on itself and on a missing subtask (1.3→1.3, 1.7),
 * a task depending on itself (2→2), a task 2-cycle (2↔3), a duplicate and a dependency on a
 * subtask in a cycle (4→1,1,"1.2").
 */
export function brokenFile() {
  return {
    master: {
      tasks: [
        task(1, 'A', 'pending', 'medium', [99], [subtask(1, 'A1', 'pending', [2]), subtask(2, 'A2', 'pending', [1]), subtask(3, 'A3', 'pending', [3, '1.7'])]),
        task(2, 'B', 'pending', 'medium', [2, 3]),
        task(3, 'C', 'pending', 'medium', [2]),
        task(4, 'D', 'pending', 'medium', [1, 1, '1.2']),
      ],
      metadata: meta('Broken dependencies'),
    },
  };
}

/**
 * What fix-dependencies fixes: a missing task (1→99), a duplicate (4→1,1), a subtask
 * depending on itself and on a missing subtask (1.3→1.3, "1.7"), a missing task from a
 * subtask (1.3→42), and a subtask 2-cycle (1.1↔1.2), which Task Master leaves in place.
 */
export function fixableFile() {
  return {
    master: {
      tasks: [
        task(1, 'A', 'pending', 'medium', [99], [subtask(1, 'A1', 'pending', [2]), subtask(2, 'A2', 'pending', [1]), subtask(3, 'A3', 'pending', [3, '1.7', 42])]),
        task(2, 'B', 'pending', 'medium', [1]),
        task(3, 'C', 'done', 'medium', [2]),
        task(4, 'D', 'pending', 'medium', [1, 1, 3]),
      ],
      metadata: meta('Fixable dependencies'),
    },
  };
}

/**
 * {@link basicFile} without subtask dependencies: Task Master's add-subtask --task-id
 * overflows its stack (`Maximum call stack size exceeded`, whichever task is converted) when
 * any subtask has a dependency (seen with 0.43.1 on basicFile). Without them the conversion
 * runs and can be compared.
 */
export function convertibleFile() {
  const file = basicFile();
  for (const t of file.master.tasks) for (const s of t.subtasks as Array<{ dependencies: unknown[] }>) s.dependencies = [];
  return file;
}
