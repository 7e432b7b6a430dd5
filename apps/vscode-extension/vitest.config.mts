import { defineConfig } from 'vitest/config';

/** Unit tests: the pure view model and helpers, no editor. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 20_000,
  },
});
