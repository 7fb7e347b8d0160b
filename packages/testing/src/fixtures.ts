import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { SkillMetrics } from '@skill-metrics/core'
import { expect } from 'vitest'

export const FIXTURE_NAMES = ['small', 'medium', 'edge'] as const
export type FixtureName = (typeof FIXTURE_NAMES)[number]

export const fixturesDir = fileURLToPath(new URL('../../../fixtures/legacy/', import.meta.url))

export function fixturePath(name: string, suffix = '.json'): string {
  return `${fixturesDir}${name}${suffix}`
}

export function fixtureText(name: FixtureName, suffix = '.json'): string {
  return readFileSync(fixturePath(name, suffix), 'utf8')
}

/** Floats within a relative 1e-9: sums taken in another order may differ in the last bits. */
function close(actual: number, expected: number, relative = 1e-9): boolean {
  if (actual === expected) return true
  return Math.abs(actual - expected) <= relative * Math.max(Math.abs(expected), Math.abs(actual))
}

/**
 * Every key of `expected` is in `actual` with an equal value (floats within `relative`), at every
 * depth; `actual` may have more keys. Lists must have the same length.
 */
export function expectContains(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number') {
    expect(typeof actual, `${path} type`).toBe('number')
    expect(close(actual as number, expected), `${path}: ${actual} ≉ ${expected}`).toBe(true)
    return
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path} is a list`).toBe(true)
    const list = actual as unknown[]
    expect(list.length, `${path} length`).toBe(expected.length)
    expected.forEach((item, index) => {
      expectContains(list[index], item, `${path}[${index}]`)
    })
    return
  }
  if (expected !== null && typeof expected === 'object') {
    expect(actual !== null && typeof actual === 'object' && !Array.isArray(actual), path).toBe(true)
    const object = actual as Record<string, unknown>
    for (const [key, value] of Object.entries(expected)) {
      expect(Object.hasOwn(object, key), `${path} has ${JSON.stringify(key)}`).toBe(true)
      expectContains(object[key], value, `${path}[${JSON.stringify(key)}]`)
    }
    return
  }
  expect(actual, path).toBe(expected)
}

/** Metrics with their counter maps as plain objects, to compare with the fixtures' JSON. */
export function plainMetrics(metrics: ReadonlyMap<string, SkillMetrics>): Record<string, unknown> {
  return Object.fromEntries(
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
}
