import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // GPU tests start a Vite server and a headless Chrome per file; keep two files at a
    // time at most so the 2-core machines are not oversubscribed.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
