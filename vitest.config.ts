import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // End-to-end tests share two cores with Chromium: one file at a time.
    fileParallelism: false,
  },
});
