import { UsageError } from '@skill-metrics/core'
import { describe, expect, it } from 'vitest'
import { parseConnectTimeoutMs, parseDuration, parseRetentionDays } from './inputs.js'

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

describe('parseRetentionDays', () => {
  it.each([
    [undefined, undefined],
    ['0', 0],
    ['7', 7],
    ['30', 30],
  ])('%j → %j', (text, days) => {
    expect(parseRetentionDays(text)).toBe(days)
  })

  it.each(['-1', '1.5', 'abc', 'Infinity', '', ' '])('refuses %j as a usage error', (text) => {
    expect(() => parseRetentionDays(text)).toThrow(UsageError)
  })
})

describe('parseConnectTimeoutMs', () => {
  it.each([
    ['10', 10_000],
    ['0.25', 250],
    ['600', 600_000],
  ])('%s seconds is %d ms', (text, ms) => {
    expect(parseConnectTimeoutMs(text)).toBe(ms)
  })
  it.each(['0', '-1', '601', 'soon', '', 'Infinity'])('refuses %j', (text) => {
    expect(() => parseConnectTimeoutMs(text)).toThrow(UsageError)
  })
  it('is undefined when not given: the default applies', () => {
    expect(parseConnectTimeoutMs(undefined)).toBeUndefined()
  })
})
