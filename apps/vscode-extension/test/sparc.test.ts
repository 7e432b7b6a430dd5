import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SPARC_FILE, readSparcMappings, sparcModeNameFor } from '../src/sparc.js';

const mappings = {
  byType: { Bug: 'debug' },
  byKeyword: { test: 'tdd', api: 'architect' },
  default: 'code',
};

describe('sparcModeNameFor', () => {
  it('uses the type field first, ignoring case', () => {
    expect(sparcModeNameFor({ title: 'Write API tests', type: 'bug' }, mappings)).toBe('debug');
  });

  it('falls back to the first keyword that starts a word in the title or description', () => {
    expect(sparcModeNameFor({ title: 'Document the API' }, mappings)).toBe('architect');
    expect(sparcModeNameFor({ title: 'Parser', description: 'add a test for it' }, mappings)).toBe('tdd');
    expect(sparcModeNameFor({ title: 'Contest entry' }, mappings)).toBe('code');
  });

  it('has no mode without mappings', () => {
    expect(sparcModeNameFor({ title: 'Anything' }, {})).toBeUndefined();
  });
});

describe('readSparcMappings', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('reads the project mappings file and treats a missing or broken one as empty', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'tm-sparc-'));
    dirs.push(root);
    expect(await readSparcMappings(root)).toEqual({});
    await mkdir(path.dirname(path.join(root, SPARC_FILE)), { recursive: true });
    await writeFile(path.join(root, SPARC_FILE), JSON.stringify(mappings));
    expect(await readSparcMappings(root)).toEqual(mappings);
    await writeFile(path.join(root, SPARC_FILE), '{ not json');
    expect(await readSparcMappings(root)).toEqual({});
  });
});
