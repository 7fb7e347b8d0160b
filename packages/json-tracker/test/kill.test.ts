import { describe, it } from 'vitest'
import { expectKilledWritersLoseNothing } from './kill.js'

describe('kill -9 of a writer (2 trials; the soak run has 25)', () => {
  it('loses no returned write and never blocks the next writer', async () => {
    await expectKilledWritersLoseNothing(2)
  }, 120_000)
})
