import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Real job processes and training compete for 2 cores: generous timeouts, modest parallelism.
    maxWorkers: 2,
  },
});
