import { describe, it } from 'vitest'
import { expectConcurrentWritersLoseNothing } from './writers.js'

describe('8 processes writing one legacy file at once (few invocations; the soak run has 8 × 250)', () => {
  it('keeps every invocation and aggregates equal to the records', async () => {
    await expectConcurrentWritersLoseNothing(8, 20)
  })
})
