import { defineConfig } from 'vitest/config';

/** The board in real Chromium against real servers: one file at a time (the machine has two cores). */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
