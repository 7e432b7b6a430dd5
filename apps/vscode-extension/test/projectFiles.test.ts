import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTasksFile, TASKS_FILE } from '../src/projectFiles.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function project(text: string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'tm-vscode-files-'));
  roots.push(root);
  mkdirSync(path.dirname(path.join(root, TASKS_FILE)), { recursive: true });
  writeFileSync(path.join(root, TASKS_FILE), text);
  return root;
}

describe('the tasks file read without a server', () => {
  it('shows the other tags of a file where another tool left one tag broken, that tag as it is', async () => {
    const file = {
      master: { tasks: [{ id: 1, title: 'Fine', status: 'pending' }], metadata: {} },
      broken: { tasks: [{ id: 7, title: null, status: 'pending' }], metadata: {} },
    };
    expect(await readTasksFile(project(JSON.stringify(file, null, 2)))).toEqual({ data: file, tagProblems: { broken: 'task 7, field title: expected string, received null' } });
  });

  it('refuses a file that is not JSON, saying where', async () => {
    await expect(readTasksFile(project('{ "master": {"tasks": [}'))).rejects.toThrow(/tasks\.json is not a valid tasks file \(.*line 1.*\); fix it and save again/);
  });
});
