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
});
