import { defineConfig } from 'tsup';

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
});
