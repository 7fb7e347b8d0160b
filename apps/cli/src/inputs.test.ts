import { UsageError } from '@skill-metrics/core'
import { describe, expect, it } from 'vitest'
import { parseDuration } from './inputs.js'

describe('parseDuration', () => {
  it.each([
    [undefined, 0],
    ['0', 0],
    ['2.5', 2.5],
    ['1e3', 1000],
  ])('%j → %d', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds)
  })

  it.each(['-1', 'abc', 'Infinity', 'NaN', '', ' '])('refuses %j as a usage error', (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError)
  })
})
