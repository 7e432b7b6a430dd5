import { defineConfig } from 'vitest/config';

// Every test runs the real Task Master (4–18 s a command) beside our CLI. The files run one
// after another and their tests two at a time (test.concurrent, maxConcurrency), which keeps
// two Task Master processes busy on a 2-core machine; src/oracle.ts also caps them at two.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    maxConcurrency: 2,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
