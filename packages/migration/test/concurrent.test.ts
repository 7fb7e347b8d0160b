import { DIALECTS } from '@skill-metrics/testing/databases'
import { describe, it } from 'vitest'
import { expectBackfillUnderLiveWrites } from './concurrent.js'

describe.each(DIALECTS)(
  'backfill while 8 processes dual-write on %s (15 each; the soak run has 250)',
  (dialect) => {
    it('validates clean and loses or doubles nothing', async () => {
      await expectBackfillUnderLiveWrites(dialect, 8, 15)
    }, 180_000)
  },
)
