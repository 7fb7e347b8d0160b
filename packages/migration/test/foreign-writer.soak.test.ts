import { DIALECTS } from '@skill-metrics/testing/databases'
import { describe } from 'vitest'
import { describeForeignWriterScenarios } from './foreign-writer-scenarios.js'

// PostgreSQL's walk of the scenarios (SQLite's runs in `pnpm test`); required under CI like every
// PostgreSQL test, skipped with the reason outside it when the server is not there.
describe.skipIf(!DIALECTS.includes('postgres'))('on postgres', () => {
  describeForeignWriterScenarios('postgres')
})
