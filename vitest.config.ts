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
    // Real runs use one wasm thread per core (src/engine/tf.ts); test files train in parallel
    // workers (and spawn CLI/job processes that inherit this), so each keeps to one thread.
    env: { AUSCULT_WASM_THREADS: process.env.AUSCULT_WASM_THREADS ?? '1' },
  },
});
