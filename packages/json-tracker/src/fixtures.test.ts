import {
  expectContains,
  FIXTURE_NAMES,
  fixturePath,
  fixtureText,
  plainMetrics,
} from '@skill-metrics/testing/fixtures'
import { describe, expect, it } from 'vitest'
import { JsonFileTracker } from './json-tracker.js'

describe.each(FIXTURE_NAMES)('%s fixture read by the JSON tracker', (name) => {
  const tracker = new JsonFileTracker({ file: fixturePath(name) })

  it('has the metrics the original tool returned, in its order', async () => {
    const metrics = await tracker.getAllMetrics()
    const expected = JSON.parse(fixtureText(name, '.metrics.json'))
    expectContains(plainMetrics(metrics), expected)
    // JSON.parse moves keys like "3" to the front, so compare the order with a key scan instead.
    const order = [
      ...fixtureText(name, '.metrics.json').matchAll(/^ {2}("(?:[^"\\]|\\.)*"): \{$/gm),
    ].map((match) => JSON.parse(match[1]!))
    expect([...metrics.keys()]).toEqual(order)
  })

  it('has the summary the original tool returned', async () => {
    expectContains(await tracker.getSummary(), JSON.parse(fixtureText(name, '.summary.json')))
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
