import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // GPU tests start a Vite server and a headless Chrome per file; keep two files at a
    // time at most so the 2-core machines are not oversubscribed.
    maxWorkers: 2,
    // Bounds that catch hangs, not slowness: on a machine at load 20 a Chrome start, a
    // pipeline compile or a CLI run takes many times longer than on a quiet one. Tests wait
    // on events (test/helpers/wait.ts), never on fixed sleeps.
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
