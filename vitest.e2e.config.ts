import { defineConfig } from 'vitest/config';

/** End-to-end tests: the web-mode server + built renderer driven in headless Debian Chromium. */
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
