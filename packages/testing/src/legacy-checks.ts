import {
  aggregatesFromInvocations,
  type LegacyInvocation,
  type SkillAggregate,
} from '@skill-metrics/core'
import { expect } from 'vitest'

/**
 * Every stored aggregate equals the one recomputed from the records: counts and maps exactly,
 * durations within a relative 1e-9. `first_invoked`/`last_invoked` follow completion order, which
 * the records keep only when one writer completed them in file order (`completionOrder: 'file'`);
 * with concurrent writers they must still name a completed record of that skill.
 */
export function expectAggregatesMatchRecords(
  invocations: LegacyInvocation[],
  skills: Map<string, SkillAggregate>,
  completionOrder: 'file' | 'concurrent',
): void {
  const recomputed = aggregatesFromInvocations(invocations)
  expect([...skills.keys()].sort()).toEqual([...recomputed.keys()].sort())
  for (const [name, expected] of recomputed) {
    const actual = skills.get(name)!
    const {
      total_duration_seconds: actualDuration,
      first_invoked,
      last_invoked,
      ...actualRest
    } = actual
    const {
      total_duration_seconds: expectedDuration,
      first_invoked: _first,
      last_invoked: _last,
      ...expectedRest
    } = expected
    if (completionOrder === 'file') {
      expect([first_invoked, last_invoked], `first/last of ${name}`).toEqual([
        expected.first_invoked,
        expected.last_invoked,
      ])
    } else {
      const times = new Set(
        invocations
          .filter(
            (invocation) => invocation.skill_name === name && invocation.duration_seconds !== null,
          )
          .map((invocation) => invocation.invoked_at),
      )
      expect(times.has(first_invoked!) && times.has(last_invoked!), `first/last of ${name}`).toBe(
        true,
      )
    }
    expect(sortedCounters(actualRest), `aggregate of ${name}`).toEqual(sortedCounters(expectedRest))
    expect(Math.abs(actualDuration - expectedDuration)).toBeLessThanOrEqual(
      1e-9 * Math.max(1, Math.abs(expectedDuration)),
    )
  }
}

// Completion order across processes decides map key order; equality is about the counts.
const sortedCounters = (
  aggregate: Pick<SkillAggregate, 'workflow_paths' | 'common_errors' | 'follow_up_actions'>,
) => ({
  ...aggregate,
  workflow_paths: [...aggregate.workflow_paths].sort(),
  common_errors: [...aggregate.common_errors].sort(),
  follow_up_actions: [...aggregate.follow_up_actions].sort(),
})
