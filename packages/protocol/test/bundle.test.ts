import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built package (turbo builds it before its tests), as every other package loads it.
const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));

/** The zod locale modules a bundle carries, by the module comments esbuild leaves. */
function localesIn(file: string): string[] {
  const text = readFileSync(dist(file), 'utf8');
  return [...new Set([...text.matchAll(/\/locales\/([\w-]+)\.js/g)].map((m) => m[1]!))].sort();
}

describe('the built protocol bundles only the zod its schemas use', () => {
  // One `import { z } from 'zod'` anywhere in src brings all of zod back (its 60-odd locales
  // among it, 849 KB against 281 KB) and 3.5 MB of RssAnon to every process that loads the
  // protocol; nothing else would fail. See tsup.config.ts.
  it.each(['index.js', 'index.cjs'])('%s holds the English messages and no other locale', (file) => {
    expect(localesIn(file)).toEqual(['en']);
  });

  it.each(['index.js', 'index.cjs'])('%s loads no zod of its own at run time', (file) => {
    expect(readFileSync(dist(file), 'utf8')).not.toMatch(/from\s*["']zod["']|require\(["']zod["']\)/);
  });

  it('reports a bad value in English, with the bundled zod', async () => {
    const { TaskSchema } = (await import(dist('index.js'))) as typeof import('../src/index.js');
    const result = TaskSchema.safeParse({ id: 1, title: 5, status: 'pending', dependencies: [] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['title'], message: 'Invalid input: expected string, received number' });
  });
});
