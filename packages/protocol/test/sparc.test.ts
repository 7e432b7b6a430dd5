import { describe, expect, it } from 'vitest';
import { DEFAULT_SPARC_MAPPINGS, SparcMappingsSchema, sparcModeFor, type SparcMappings } from '../src/index.js';

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

describe('default SPARC mappings', () => {
  it('are valid and map an integration task by its keyword prefix', () => {
    expect(SparcMappingsSchema.safeParse(DEFAULT_SPARC_MAPPINGS).success).toBe(true);
    expect(sparcModeFor({ title: 'Integration with GitHub' }, DEFAULT_SPARC_MAPPINGS)?.mode).toBe('integration');
  });
});
