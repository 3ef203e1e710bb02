import { defineConfig } from 'vitest/config';

// One test run for the whole monorepo: a single summary line for CI.
export default defineConfig({
  resolve: { conditions: ['node'] },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**', '**/out/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One temporary directory per run, removed at its end (test key files, capsules, browser profiles).
    globalSetup: ['test/support/temp-root.ts'],
  },
});
