import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  entry: ['src/bin.ts'],
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Each command is its own chunk, so `list` never loads the server's code.
  splitting: true,
  banner: { js: '#!/usr/bin/env node' },
  // Our packages, zod and immer are bundled (one copy of each, shared by the chunks):
  // resolving and loading them as separate packages cost more start-up time than
  // all of `list`'s work. Third-party packages stay external dependencies.
  noExternal: [/^@taskmaster\//, 'zod', 'immer'],
  // The published version, fixed at build time (changesets bump package.json).
  define: { __CLI_VERSION__: JSON.stringify(version) },
});
