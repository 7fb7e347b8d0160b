import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const FIXTURE_NAMES = ['small', 'medium', 'edge'] as const
export type FixtureName = (typeof FIXTURE_NAMES)[number]

export const fixturesDir = fileURLToPath(new URL('../../../../fixtures/legacy/', import.meta.url))

export function fixturePath(name: FixtureName, suffix = '.json'): string {
  return `${fixturesDir}${name}${suffix}`
}

export function fixtureText(name: FixtureName, suffix = '.json'): string {
  return readFileSync(fixturePath(name, suffix), 'utf8')
}

/** Relative closeness for floats (sums in another order may differ in the last bits). */
export function expectClose(actual: number, expected: number, relative = 1e-9): boolean {
  return Math.abs(actual - expected) <= relative * Math.max(Math.abs(expected), 1e-300)
}
