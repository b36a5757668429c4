import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Throwaway PostgreSQL and mosquitto for the run (or the ones CI started), passed to workers as SIGHTLINE_TEST_* variables.
    globalSetup: ['test/global-setup.ts'],
    // CI reads the JSON report to print its own "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
