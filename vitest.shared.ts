import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// Tests import workspace packages from their sources so they never wait for a build; only tests
// that spawn processes (the CLI, child writers) run the built output.
export default defineConfig({
  resolve: {
    alias: {
      '@skill-metrics/core': source('./packages/core/src/index.ts'),
      '@skill-metrics/durable-file': source('./packages/durable-file/src/index.ts'),
      '@skill-metrics/json-tracker': source('./packages/json-tracker/src/index.ts'),
      '@skill-metrics/db-store': source('./packages/db-store/src/index.ts'),
      '@skill-metrics/migration': source('./packages/migration/src/index.ts'),
    },
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
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
