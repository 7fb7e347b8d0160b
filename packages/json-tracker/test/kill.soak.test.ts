import { describe, it } from 'vitest'
import { expectKilledWritersLoseNothing } from './kill.js'

describe('kill -9 of a writer at random moments, 25 trials', () => {
  it('loses no returned write and never blocks the next writer', async () => {
    await expectKilledWritersLoseNothing(25)
  }, 900_000)
})
