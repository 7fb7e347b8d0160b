import { DIALECTS } from '@skill-metrics/testing/databases'
import { describe, it } from 'vitest'
import { expectConcurrentStoreWriters } from './store-writers.js'

describe.each(DIALECTS)(
  '8 processes writing the %s store at once (25 each; the soak run has 250)',
  (dialect) => {
    it('lose nothing, count nothing twice and never fail', async () => {
      await expectConcurrentStoreWriters(dialect, 8, 25)
    }, 120_000)
  },
)
