import { describe, it } from 'vitest'
import { expectConcurrentWritersLoseNothing } from './writers.js'

describe('8 processes × 250 invocations into one legacy file', () => {
  it('keeps every invocation and aggregates equal to the records', async () => {
    await expectConcurrentWritersLoseNothing(8, 250)
  }, 600_000)
})
