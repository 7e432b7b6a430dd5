import { defineConfig } from 'vitest/config';

// One file, run as a sequence: a registry is started once and every test installs from it.
// The bounds are for a shared 2-core machine with a cold npm cache; a run takes well under them.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 240_000,
  },
});
