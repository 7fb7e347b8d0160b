import type { SkillMetrics } from '@skill-metrics/core'
import { describe, expect, it } from 'vitest'
import { JsonFileTracker } from './json-tracker.js'
import { FIXTURE_NAMES, fixturePath, fixtureText } from './test-support/fixtures.js'

/** The expected value's keys must all be there with equal values; floats within a relative 1e-9. */
export function expectSubset(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number' && !Number.isInteger(expected)) {
    const tolerance = 1e-9 * Math.max(Math.abs(expected), Number.MIN_VALUE)
    expect(Math.abs(actual - expected), `${path}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
      tolerance,
    )
    return
  }
  if (expected !== null && typeof expected === 'object') {
    expect(actual, path).toBeTypeOf('object')
    expect(Array.isArray(actual), path).toBe(Array.isArray(expected))
    if (Array.isArray(expected)) expect((actual as unknown[]).length, path).toBe(expected.length)
    for (const [key, value] of Object.entries(expected)) {
      expectSubset((actual as Record<string, unknown>)[key], value, `${path}.${key}`)
    }
    return
  }
  expect(actual, path).toStrictEqual(expected)
}

const plain = (metrics: Map<string, SkillMetrics>) =>
  Object.fromEntries(
    [...metrics].map(([name, value]) => [
      name,
      {
        ...value,
        workflow_paths: Object.fromEntries(value.workflow_paths),
        common_errors: Object.fromEntries(value.common_errors),
        follow_up_actions: Object.fromEntries(value.follow_up_actions),
      },
    ]),
  )

describe.each(FIXTURE_NAMES)('%s fixture read by the JSON tracker', (name) => {
  const tracker = new JsonFileTracker({ file: fixturePath(name) })

  it('has the metrics the original tool returned, in its order', async () => {
    const metrics = await tracker.getAllMetrics()
    const expected = JSON.parse(fixtureText(name, '.metrics.json'))
    expectSubset(plain(metrics), expected)
    // JSON.parse moves keys like "3" to the front, so compare the order with a key scan instead.
    const order = [
      ...fixtureText(name, '.metrics.json').matchAll(/^ {2}("(?:[^"\\]|\\.)*"): \{$/gm),
    ].map((match) => JSON.parse(match[1]!))
    expect([...metrics.keys()]).toEqual(order)
  })

  it('has the summary the original tool returned', async () => {
    expectSubset(await tracker.getSummary(), JSON.parse(fixtureText(name, '.summary.json')))
  })

  it('prints the report the original tool printed, exactly', async () => {
    expect(await tracker.generateReport()).toBe(fixtureText(name, '.report.txt'))
  })

  it('returns one skill, and null for an unknown one', async () => {
    const [first] = (await tracker.getAllMetrics()).keys()
    expect((await tracker.getSkillMetrics(first!))?.skill_name).toBe(first)
    expect(await tracker.getSkillMetrics('no such skill')).toBeNull()
  })
})
