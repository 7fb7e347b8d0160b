import { DIALECTS } from '@skill-metrics/testing/databases'
import { describe, it } from 'vitest'
import { expectBackfillUnderLiveWrites } from './concurrent.js'

describe.each(DIALECTS)('backfill twice while 8 processes × 250 dual-write on %s', (dialect) => {
  it('validates clean and loses or doubles nothing', async () => {
    await expectBackfillUnderLiveWrites(dialect, 8, 250)
  }, 900_000)
})
