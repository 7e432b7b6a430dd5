import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/browser.js';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/** The modules the built browser entry loads: itself and the chunks it imports, transitively. */
function browserModules(): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(DIST + file, 'utf8');
    for (const m of text.matchAll(/from\s*["']\.\/([^"']+)["']/g)) visit(m[1]!);
  };
  visit('browser.js');
  return [...seen].map((f) => readFileSync(DIST + f, 'utf8'));
}

describe('the browser entry', () => {
  it('names no Node module and not ws, so bundlers need no polyfills', () => {
    expect(readdirSync(DIST)).toContain('browser.js');
    for (const text of browserModules()) {
      expect(text).not.toMatch(/["']node:/);
      expect(text).not.toMatch(/["']ws["']/);
      expect(text).not.toMatch(/\bprocess\.|\bBuffer\b/);
    }
  });

  it('asks for url and token instead of a project root, which needs Node', () => {
    expect(() => createClient({ root: '/project' })).toThrow(/`root` needs Node/);
  });
});
