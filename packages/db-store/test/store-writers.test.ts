import { describe, it } from 'vitest'
import { DIALECTS } from '../src/test-support/databases.js'
import { expectConcurrentStoreWriters } from './store-writers.js'

describe.each(DIALECTS)(
  '8 processes writing the %s store at once (25 each; the soak run has 250)',
  (dialect) => {
    it('lose nothing, count nothing twice and never fail', async () => {
      await expectConcurrentStoreWriters(dialect, 8, 25)
    }, 120_000)
  },
)
