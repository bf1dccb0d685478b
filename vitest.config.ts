import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A timeout catches a hang, not slowness: on a machine loaded 20-50 deep (several engineers'
    // builds and benchmarks at once) a train-and-compare test took over a minute, so the limits are
    // four times what a quiet 2-core machine needs, and the verdict stays the same under load.
    testTimeout: 240_000,
    hookTimeout: 300_000,
    // End-to-end tests spawn the CLI; two workers match the machines this runs on.
    poolOptions: { forks: { maxForks: 2 } },
    pool: 'forks',
  },
});
