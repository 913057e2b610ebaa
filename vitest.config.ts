import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Training tests are CPU bound; two cores means two workers at most.
    pool: 'forks',
    maxWorkers: 2,
  },
});
