import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, makeProject, run } from './helpers.js';

// The README's examples of Task Master's verbs must run as written.

afterEach(cleanUp);

const README = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

/** The Example column of the tables from "Project setup" up to TaskMaster Sync's own verbs. */
function examples(): string[] {
  const part = README.slice(README.indexOf('**Project setup**'), README.indexOf('**Live sync'));
  return [...part.matchAll(/^\| `[^\n]*?\| `(taskmaster [^`]+)` \|/gm)].map((m) => m[1]!);
}

/** `taskmaster add-task -t "Login page"` → `['add-task', '-t', 'Login page']`, as a shell splits it. */
function words(example: string): string[] {
  const out: string[] = [];
  for (const m of example.matchAll(/(?:[^\s"]+|"[^"]*")+/g)) out.push(m[0].replace(/"/g, ''));
  return out.slice(1);
}

/** The project the README describes: master 1 (subtask 1.1), 2 (depends on 1), 3; tag feature-x. */
async function readmeProject(): Promise<string> {
  const dir = await makeProject();
  for (const args of [
    ['add-task', '-t', 'One'],
    ['add-task', '-t', 'Two', '--dependencies', '1'],
    ['add-task', '-t', 'Three'],
    ['add-task', '-t', 'Sub', '--parent', '1'],
    ['add-tag', 'feature-x'],
    ['add-task', '-t', 'Feature', '--tag', 'feature-x'],
  ]) {
    const r = await run(args, dir);
    if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  }
  return dir;
}

describe('README examples', () => {
  it('lists an example for every verb of the Task Master groups', () => {
    const verbs = new Set(examples().map((e) => words(e)[0]));
    for (const v of ['list', 'next', 'move', 'add-subtask', 'remove-subtask', 'clear-subtasks', 'add-dependency', 'remove-dependency',
      'validate-dependencies', 'fix-dependencies', 'tags', 'add-tag', 'use-tag', 'delete-tag', 'rename-tag', 'copy-tag']) {
      expect(verbs.has(v), v).toBe(true);
    }
  });

  it.each(examples())('%s', async (example) => {
    const dir = await readmeProject();
    const r = await run(words(example), dir);
    expect(r.code, r.stderr).toBe(0);
  });
});
