import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, makeProject, run, runJson } from './helpers.js';

afterEach(cleanUp);

describe('taskmaster sparc', () => {
  it('edits the mappings and show prints the mode a task maps to', async () => {
    const dir = await makeProject();
    const task = await runJson(['add-task', '--title', 'Fix the flaky widget', '--description', 'It breaks'], dir);
    expect((await run(['sparc', 'set', 'widget', 'debug'], dir)).code).toBe(0);
    expect((await run(['sparc', 'set', 'type:epic', 'architect'], dir)).code).toBe(0);
    const listed = await runJson(['sparc'], dir);
    expect(listed.byKeyword.widget).toBe('debug');
    expect(listed.byType.epic).toBe('architect');
    const file = JSON.parse(readFileSync(path.join(dir, '.taskmaster', 'sparc', 'mappings.json'), 'utf8'));
    expect(file.byKeyword.widget).toBe('debug');

    const shown = await runJson(['show', String(task.id)], dir);
    expect(shown.sparc).toEqual({ mode: 'debug', matchedBy: 'keyword:widget' });
    expect((await run(['show', String(task.id)], dir)).stdout).toMatch(/SPARC mode:\s+debug/);

    expect((await run(['sparc', 'remove', 'widget'], dir)).code).toBe(0);
    expect((await runJson(['sparc', 'list'], dir)).byKeyword.widget).toBeUndefined();
    expect((await runJson(['show', String(task.id)], dir)).sparc?.matchedBy).not.toBe('keyword:widget');
  });

  it('rejects an invalid mode and an unmapped key with exit 1', async () => {
    const dir = await makeProject();
    const bad = await run(['sparc', 'set', 'widget', 'Not A Mode'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not a SPARC mode');
    const missing = await run(['sparc', 'remove', 'nothing-here'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('not mapped');
  });
});
