import { describe, it } from 'vitest'
import { DIALECTS } from './schema.js'
import { expectRacingRunnersApplyOnce } from './schema-race.js'

describe.each(DIALECTS)(
  'two schema migrate processes at once on %s (2 trials; the soak run has 20)',
  (dialect) => {
    it('apply every version exactly once', async () => {
      await expectRacingRunnersApplyOnce(dialect, 2)
    }, 120_000)
  },
)
