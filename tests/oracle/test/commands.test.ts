/**
 * Task Master's own list of commands (`task-master --help`, 0.43.1) beside ours: a user who
 * types any of them into `taskmaster` gets that verb, or is told it stays Task Master's and
 * how to run it — never "unknown command".
 */
import { afterAll, expect, test } from 'vitest';
import { describeRun } from '@taskmaster/task-master-runner';
import { basicFile } from '../src/files.js';
import { cleanUp, makeProject, ours, theirs } from '../src/projects.js';

afterAll(cleanUp);

/** The command words of Task Master's help table: a name at the table's indent, and `tags <sub>`. */
function taskMasterCommands(help: string): string[] {
  const names = new Set<string>();
  for (const line of help.split('\n')) {
    const m = /^ {2,6}([a-z][a-z-]*…?)(?: (add|use|remove|rename|copy)\b)?/.exec(line);
    if (m) names.add(m[2] ? `${m[1]} ${m[2]}` : m[1]!);
  }
  return [...names];
}

test('every command in Task Master\'s help is ours, or says to run it with task-master (the AI ones among them)', async () => {
  const root = await makeProject({ tasks: basicFile() });
  const help = await theirs(root, ['--help']);
  expect(help.code, describeRun(help)).toBe(0);
  const listed = taskMasterCommands(help.stdout);
  expect(listed).toEqual(expect.arrayContaining(['list', 'set-status', 'expand', 'parse-prd', 'tags add']));
  const ourHelp = (await ours(root, ['--help'])).stdout;
  const leftToTaskMaster: string[] = [];
  for (const name of listed) {
    // Task Master's table cuts long names ("validate-dependenci…"): ours's full name with that start.
    const full = name.endsWith('…') ? new RegExp(`^ {2}(${name.slice(0, -1)}\\S*)`, 'm').exec(ourHelp)?.[1] ?? name : name;
    const run = await ours(root, [...full.split(' '), '--help']);
    if (run.code === 0) {
      expect(run.stdout, full).toContain('taskmaster ');
      continue;
    }
    expect(run.code, `${full}: ${run.stderr}`).toBe(1);
    expect(run.stderr).toContain(`error: '${full}' is Task Master's own command (`);
    expect(run.stderr).toContain(`run it as 'task-master ${full}' with the same options`);
    leftToTaskMaster.push(full);
  }
  expect(leftToTaskMaster).toEqual(expect.arrayContaining(['expand', 'parse-prd', 'analyze-complexity', 'research']));
  // What ours has of them is what its help says it has: each verb left to Task Master is named there.
  for (const name of leftToTaskMaster) expect(ourHelp).toContain(name);
});
