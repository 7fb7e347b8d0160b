import { describe, expect, it } from 'vitest'
import { isNaiveIsoTimestamp, naiveSecondsBetween, toNaiveLocalIso } from './time.js'

describe('naive local time', () => {
  it('prints like datetime.isoformat(): no fraction when it is zero', () => {
    expect(toNaiveLocalIso(new Date(2025, 2, 1, 8, 0, 0, 0))).toBe('2025-03-01T08:00:00')
    expect(toNaiveLocalIso(new Date(2025, 2, 1, 8, 0, 0, 5))).toBe('2025-03-01T08:00:00.005000')
  })

  it('subtracts like Python, microsecond-exact, negative across a clock step back', () => {
    expect(naiveSecondsBetween('2025-03-01T08:00:00', '2025-03-01T08:00:03.000001')).toBe(3.000001)
    expect(naiveSecondsBetween('2025-03-01T08:00:00.5', '2025-03-01T07:59:59')).toBe(-1.5)
  })

  it.each([
    ['2025-03-01T08:00:00', true],
    ['2025-03-01T08:00:00.123456', true],
    ['2025-02-30T08:00:00', false],
    ['2025-03-01 08:00:00', false],
    ['2025-03-01T08:00:00Z', false],
    ['2025-03-01T08:00:00+01:00', false],
    ['yesterday at noon', false],
    ['2025-03-01T25:00:00', false],
  ])('%s is a naive ISO timestamp: %s', (text, expected) => {
    expect(isNaiveIsoTimestamp(text)).toBe(expected)
  })
})
