import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // End-to-end tests spawn the CLI; two workers match the machines this runs on.
    poolOptions: { forks: { maxForks: 2 } },
    pool: 'forks',
  },
});
