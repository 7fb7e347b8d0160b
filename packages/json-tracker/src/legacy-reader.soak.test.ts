import { fixturePath } from '@skill-metrics/testing/fixtures'
import { describe, it } from 'vitest'
import {
  expectLikeReference,
  expectTruncationsRefused,
  trickyFile,
} from './test-support/reader-checks.js'

// The exhaustive variants of checks that `legacy-reader.test.ts` samples: CPU-bound, minutes long
// on a busy machine.
describe('scanLegacyFile, every boundary', () => {
  it('the edge fixture two and three bytes at a time', async () => {
    await expectLikeReference(fixturePath('edge'), [2, 3])
  })

  it('every truncation throws, having handed over only records of the whole file', async () => {
    await expectTruncationsRefused(trickyFile(false), 1)
  })
})
