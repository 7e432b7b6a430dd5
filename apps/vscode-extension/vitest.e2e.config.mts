import { defineConfig } from 'vitest/config';

/** End-to-end tests: a real VS Code (code-server) driven by chromium; one file at a time. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
