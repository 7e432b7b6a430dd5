import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One PostgreSQL cluster per test file; files in parallel would each start one on a 2-core machine.
    fileParallelism: false,
  },
});
