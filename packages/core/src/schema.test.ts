import { describe, expect, it } from 'vitest'
import { BadInputError } from './errors.js'
import { type JsonValue, PyFloat } from './legacy.js'
import { parseLegacyInvocation, parseLegacyInvocationObject } from './schema.js'
import { isNaiveIsoTimestamp } from './time.js'

/** What the ordered parser makes of JSON text, closely enough for these records. */
function ordered(value: unknown): JsonValue {
  if (Array.isArray(value)) return value.map(ordered)
  if (typeof value === 'number' && !Number.isFinite(value)) return new PyFloat(value)
  if (typeof value === 'object' && value !== null) {
    return new Map(Object.entries(value).map(([key, item]) => [key, ordered(item)]))
  }
  return value as JsonValue
}

const outcome = (parse: () => unknown) => {
  try {
    return { value: parse() }
  } catch (error) {
    expect(error).toBeInstanceOf(BadInputError)
    return { error: (error as BadInputError).message, field: (error as BadInputError).location }
  }
}

/** Both paths give the same record (same key order) or the same error. */
function expectAgreement(text: string) {
  const fast = outcome(() => parseLegacyInvocationObject(JSON.parse(text), 'f.json', 7))
  const zod = outcome(() => parseLegacyInvocation(ordered(JSON.parse(text)), 'f.json', 7))
  expect(fast).toEqual(zod)
  if ('value' in fast) expect(Object.keys(fast.value!)).toEqual(Object.keys(zod.value!))
  return fast
}

const full = {
  skill_name: 'review',
  invoked_at: '2025-01-06T14:18:41.680984',
  workflow_path: 'full',
  completed: true,
  duration_seconds: 1.5,
  follow_up_actions: ['commit', 'rerun'],
  error_type: 'Warn',
}
const withFields = (fields: Record<string, unknown>) => JSON.stringify({ ...full, ...fields })

describe('parseLegacyInvocationObject agrees with the zod path', () => {
  it.each([
    ['a full record', JSON.stringify(full)],
    ['keys in another order', JSON.stringify(Object.fromEntries(Object.entries(full).reverse()))],
    ['only the required keys', '{"invoked_at": "2025-01-01T00:00:00", "skill_name": "s"}'],
    ['nulls', withFields({ workflow_path: null, duration_seconds: null, error_type: null })],
    ['an integer duration, zero, negative', withFields({ duration_seconds: 5 })],
    [
      'a negative zero duration',
      '{"skill_name": "s", "invoked_at": "2025-01-01T00:00:00", "duration_seconds": -0.0}',
    ],
    ['a negative duration', withFields({ duration_seconds: -3600.5 })],
    ['empty strings', withFields({ skill_name: '', workflow_path: '', error_type: '' })],
    [
      'a duplicate key, the last wins',
      '{"skill_name": "a", "skill_name": "b", "invoked_at": "2025-01-01T00:00:00"}',
    ],
  ])('accepts %s', (_, text) => {
    expect(expectAgreement(text)).toHaveProperty('value')
  })

  it.each([
    ['a missing skill_name', withFields({ skill_name: undefined })],
    ['a missing invoked_at', withFields({ invoked_at: undefined })],
    ['an empty object', '{}'],
    ['a number skill_name', withFields({ skill_name: 3 })],
    ['a null skill_name', withFields({ skill_name: null })],
    ['completed as a string', withFields({ completed: 'yes' })],
    ['completed as null', withFields({ completed: null })],
    ['completed as 1', withFields({ completed: 1 })],
    ['a duration as a string', withFields({ duration_seconds: '3' })],
    ['a duration as an object', withFields({ duration_seconds: {} })],
    [
      'a duration too large for a double',
      withFields({ duration_seconds: 0 }).replace(
        '"duration_seconds":0',
        '"duration_seconds":1e400',
      ),
    ],
    ['follow-ups that are not strings', withFields({ follow_up_actions: ['a', 1] })],
    ['follow-ups as an object', withFields({ follow_up_actions: { a: 1 } })],
    ['follow-ups as a string', withFields({ follow_up_actions: 'commit' })],
    ['follow-ups with null', withFields({ follow_up_actions: [null] })],
    ['follow-ups with a list', withFields({ follow_up_actions: [[]] })],
    ['an error_type number', withFields({ error_type: 1 })],
    ['a workflow_path list', withFields({ workflow_path: [] })],
    ['an unknown key', withFields({ session: 'x' })],
    ['unknown keys that look like numbers', withFields({ z: 1, '2': 2, '10': 3 })],
    ['a __proto__ key', `{"__proto__": {"skill_name": "x"}, ${JSON.stringify(full).slice(1)}`],
    ['a constructor key', withFields({ constructor: 'x' })],
    ['a number', '1'],
    ['a float', '1.5'],
    ['null', 'null'],
    ['a string', '"record"'],
    ['a list', '[]'],
    ['a malformed timestamp', withFields({ invoked_at: 'yesterday at noon' })],
    ['a timestamp with a zone', withFields({ invoked_at: '2025-01-01T00:00:00Z' })],
    ['a timestamp with a space', withFields({ invoked_at: '2025-01-01 00:00:00' })],
    ['February 30th', withFields({ invoked_at: '2025-02-30T00:00:00' })],
    ['February 29th of a common year', withFields({ invoked_at: '2023-02-29T00:00:00' })],
    ['month 13', withFields({ invoked_at: '2025-13-01T00:00:00' })],
    ['month 0', withFields({ invoked_at: '2025-00-01T00:00:00' })],
    ['day 0', withFields({ invoked_at: '2025-01-00T00:00:00' })],
    ['hour 24', withFields({ invoked_at: '2025-01-01T24:00:00' })],
    ['minute 60', withFields({ invoked_at: '2025-01-01T00:60:00' })],
    ['second 60', withFields({ invoked_at: '2025-01-01T00:00:60' })],
    ['an empty fraction', withFields({ invoked_at: '2025-01-01T00:00:00.' })],
    ['a 7-digit fraction', withFields({ invoked_at: '2025-01-01T00:00:00.1234567' })],
    ['a letter in the fraction', withFields({ invoked_at: '2025-01-01T00:00:00.12a' })],
    ['a sign in the hour', withFields({ invoked_at: '2025-01-01T-1:00:00' })],
    ['fullwidth digits', withFields({ invoked_at: '２０２５-01-01T00:00:00' })],
    ['a trailing newline', withFields({ invoked_at: '2025-01-01T00:00:00\n' })],
    ['a number timestamp', withFields({ invoked_at: 20250101 })],
  ])('refuses %s with the same message', (_, text) => {
    expect(expectAgreement(text)).toHaveProperty('error')
  })

  it.each([
    '2024-02-29T00:00:00',
    '2025-01-01T23:59:59.999999',
    '2025-12-31T00:00:00.5',
    '0001-01-01T00:00:00',
    '0099-02-29T00:00:00',
    '0100-02-29T00:00:00',
    '9999-12-31T23:59:59',
  ])('agrees with isNaiveIsoTimestamp on %s', (invokedAt) => {
    const fast = outcome(() =>
      parseLegacyInvocationObject({ skill_name: 's', invoked_at: invokedAt }, 'f', 0),
    )
    expect('value' in fast).toBe(isNaiveIsoTimestamp(invokedAt))
    expectAgreement(withFields({ invoked_at: invokedAt }))
  })

  it('agrees with isNaiveIsoTimestamp on random timestamps, asked twice (its date cache)', () => {
    let seed = 42
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % below
    }
    const two = (value: number) => String(value).padStart(2, '0')
    for (let trial = 0; trial < 5000; trial++) {
      const fraction = random(3) === 0 ? '' : `.${String(random(10 ** 7)).slice(0, 1 + random(7))}`
      const text = `${String(random(10000)).padStart(4, '0')}-${two(random(14))}-${two(random(33))}T${two(random(26))}:${two(random(62))}:${two(random(62))}${fraction}`
      for (let ask = 0; ask < 2; ask++) {
        const accepted = (() => {
          try {
            parseLegacyInvocationObject({ skill_name: 's', invoked_at: text }, 'f', 0)
            return true
          } catch {
            return false
          }
        })()
        expect(accepted, text).toBe(isNaiveIsoTimestamp(text))
      }
    }
  })

  it('returns a record of its own, defaults filled in', () => {
    const input = JSON.parse(
      '{"skill_name": "s", "invoked_at": "2025-01-01T00:00:00", "follow_up_actions": ["a"]}',
    )
    const record = parseLegacyInvocationObject(input, 'f', 0)
    expect(record).toEqual({
      skill_name: 's',
      invoked_at: '2025-01-01T00:00:00',
      workflow_path: null,
      completed: false,
      duration_seconds: null,
      follow_up_actions: ['a'],
      error_type: null,
    })
    expect(record.follow_up_actions).not.toBe(input.follow_up_actions)
  })

  it('still takes the ordered form (Maps, PyFloat) through zod', () => {
    const value = new Map<string, JsonValue>([
      ['skill_name', 's'],
      ['invoked_at', '2025-01-01T00:00:00'],
      ['duration_seconds', new PyFloat(2)],
    ])
    expect(parseLegacyInvocationObject(value, 'f', 0)).toEqual(parseLegacyInvocation(value, 'f', 0))
  })
})
