import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

/** The built files (ESM and CJS) of a package: its entry's folder. */
function bundlesOf(dist: string): string[] {
  return readdirSync(dist).filter((f) => /\.(c|m)?js$/.test(f)).map((f) => join(dist, f));
}

const packages: Record<string, string> = {
  '@taskmaster/server': join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'),
  ...Object.fromEntries(['@taskmaster/protocol', '@taskmaster/store', '@taskmaster/watcher', '@taskmaster/team'].map((name) => [name, dirname(require.resolve(name))])),
};

// V8 holds a loaded script's text for the life of the process, at two bytes a character as
// soon as one character is above Latin-1 (scripts/one-byte-source.mjs, which every bundle's
// build runs, escapes them).
describe('the code a server runs is held at one byte a character', () => {
  it.each(Object.keys(packages))('%s: every built file is Latin-1 text', (name) => {
    const files = bundlesOf(packages[name]!);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const wide = /[^\u0000-\u00ff]/.exec(readFileSync(file, 'utf8'));
      expect(wide && { file, at: wide.index, char: wide[0] }).toBeNull();
    }
  });
});
