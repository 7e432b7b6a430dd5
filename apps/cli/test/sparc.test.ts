import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sparcModeFor, type SparcMappings } from '../src/sparc.js';
import { cleanUp, makeProject, run, runJson } from './helpers.js';

afterEach(cleanUp);

const mappings: SparcMappings = {
  version: 1,
  byType: { bug: 'debug', docs: 'docs-writer' },
  byKeyword: { test: 'tdd', security: 'security-review' },
  default: 'code',
};

describe('sparcModeFor', () => {
  it('uses the type field first, then category', () => {
    expect(sparcModeFor({ title: 'Write a test', type: 'Bug' }, mappings)).toEqual({ mode: 'debug', matchedBy: 'type:bug' });
    expect(sparcModeFor({ title: 'x', category: 'docs' }, mappings)).toEqual({ mode: 'docs-writer', matchedBy: 'type:docs' });
  });

  it('matches keywords as whole words in title or description', () => {
    expect(sparcModeFor({ title: 'Add unit test for parser' }, mappings)?.mode).toBe('tdd');
    expect(sparcModeFor({ title: 'Harden login', description: 'Security audit' }, mappings)?.mode).toBe('security-review');
    expect(sparcModeFor({ title: 'Contest entry page' }, mappings)?.mode).toBe('code');
  });

  it('falls back to the default, or nothing without one', () => {
    expect(sparcModeFor({ title: 'Refactor' }, mappings)).toEqual({ mode: 'code', matchedBy: 'default' });
    expect(sparcModeFor({ title: 'Refactor' }, {})).toBeUndefined();
  });
});

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
