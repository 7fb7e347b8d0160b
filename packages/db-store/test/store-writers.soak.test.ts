import { DIALECTS } from '@skill-metrics/testing/databases'
import { describe, it } from 'vitest'
import { expectConcurrentStoreWriters } from './store-writers.js'

describe.each(DIALECTS)('8 processes × 250 invocations into the %s store', (dialect) => {
  it('lose nothing, count nothing twice and never fail', async () => {
    await expectConcurrentStoreWriters(dialect, 8, 250)
  }, 600_000)
})
