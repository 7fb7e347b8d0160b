import { describe, it } from 'vitest'
import { DIALECTS } from './schema.js'
import { expectRacingRunnersApplyOnce } from './schema-race.js'

describe.each(DIALECTS)('two schema migrate processes at once on %s, 20 trials', (dialect) => {
  it('apply every version exactly once', async () => {
    await expectRacingRunnersApplyOnce(dialect, 20)
  }, 600_000)
})
