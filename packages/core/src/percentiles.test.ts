import { describe, expect, it } from 'vitest'
import { percentiles } from './percentiles.js'

describe('percentiles', () => {
  it('interpolates linearly between closest ranks like numpy and percentile_cont', () => {
    // numpy.percentile([1, 2, 3, 4], [50, 95, 99]) = [2.5, 3.85, 3.97]
    const result = percentiles([4, 1, 3, 2])
    expect(result.p50).toBe(2.5)
    expect(result.p95).toBeCloseTo(3.85, 12)
    expect(result.p99).toBeCloseTo(3.97, 12)
  })

  it('is null without values and the value itself for one', () => {
    expect(percentiles([])).toEqual({ p50: null, p95: null, p99: null })
    expect(percentiles([7])).toEqual({ p50: 7, p95: 7, p99: 7 })
  })

  it('sorts numerically, negatives included', () => {
    expect(percentiles([10, -5, 2]).p50).toBe(2)
  })
})
