import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// Tests import workspace packages from their sources so they never wait for a build; only tests
// that spawn processes (the CLI, child writers) run the built output.
export default defineConfig({
  resolve: {
    alias: [
      // A package's light doors (`@skill-metrics/db-store/database-url`) before its index, which
      // would otherwise match them as a prefix.
      {
        find: /^@skill-metrics\/(core|db-store|migration)\/(.+)$/,
        replacement: source('./packages/$1/src/$2.ts'),
      },
      { find: '@skill-metrics/core', replacement: source('./packages/core/src/index.ts') },
      {
        find: '@skill-metrics/durable-file',
        replacement: source('./packages/durable-file/src/index.ts'),
      },
      {
        find: '@skill-metrics/json-tracker',
        replacement: source('./packages/json-tracker/src/index.ts'),
      },
      { find: '@skill-metrics/db-store', replacement: source('./packages/db-store/src/index.ts') },
      {
        find: '@skill-metrics/migration',
        replacement: source('./packages/migration/src/index.ts'),
      },
      // The testing package has a door per job; the first match wins, so the one plain .mjs door
      // comes before the pattern that maps the others to their .ts file.
      {
        find: '@skill-metrics/testing/inject-write-faults',
        replacement: source('./packages/testing/src/inject-write-faults.mjs'),
      },
      {
        find: /^@skill-metrics\/testing\/(.+)$/,
        replacement: source('./packages/testing/src/$1.ts'),
      },
    ],
  },
  test: {
    // A bound for a test that hangs, not a goal: `pnpm test` runs every package at once, and on
    // two cores a test of child processes that takes 12 s alone took 42 to 60 s among the others.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.soak.test.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'soak', include: ['src/**/*.soak.test.ts', 'test/**/*.soak.test.ts'] },
      },
    ],
  },
})
