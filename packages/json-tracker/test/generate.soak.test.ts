import { describe, expect, it } from 'vitest'
import { generateLegacyFile } from '../src/generate.js'
import { freshLegacyPath } from './writers.js'

describe('generating a large legacy file', () => {
  it('writes 1,000,000 invocations in under 10 s', async () => {
    const file = await freshLegacyPath()
    const started = performance.now()
    const result = await generateLegacyFile(file, { invocations: 1_000_000 })
    const seconds = (performance.now() - started) / 1000
    console.log(`generate 1,000,000: ${seconds.toFixed(2)} s, ${result.bytes} bytes`)
    expect(result.invocations).toBe(1_000_000)
    expect(seconds).toBeLessThan(10)
  }, 60_000)
})
