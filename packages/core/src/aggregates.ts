import type { LegacyInvocation, SkillAggregate, SkillMetrics } from './legacy.js'
import { percentiles } from './percentiles.js'

export function newSkillAggregate(skillName: string, firstInvoked: string | null): SkillAggregate {
  return {
    skill_name: skillName,
    total_invocations: 0,
    completed_invocations: 0,
    abandoned_invocations: 0,
    total_duration_seconds: 0,
    workflow_paths: new Map(),
    common_errors: new Map(),
    follow_up_actions: new Map(),
    first_invoked: firstInvoked,
    last_invoked: null,
  }
}

const increment = (counter: Map<string, number>, key: string) =>
  counter.set(key, (counter.get(key) ?? 0) + 1)

/**
 * What the original completer does to the aggregates, in its order: the skill's record is created
 * by the first completion (so `first_invoked` and `last_invoked` follow completion order), the
 * duration is added only when truthy, and paths, errors and follow-ups only when truthy.
 */
export function applyCompletion(
  skills: Map<string, SkillAggregate>,
  invocation: LegacyInvocation,
): SkillAggregate {
  let aggregate = skills.get(invocation.skill_name)
  if (aggregate === undefined) {
    aggregate = newSkillAggregate(invocation.skill_name, invocation.invoked_at)
    skills.set(invocation.skill_name, aggregate)
  }
  aggregate.total_invocations += 1
  aggregate.last_invoked = invocation.invoked_at
  if (invocation.completed) {
    aggregate.completed_invocations += 1
    if (invocation.duration_seconds) aggregate.total_duration_seconds += invocation.duration_seconds
  } else {
    aggregate.abandoned_invocations += 1
  }
  if (invocation.workflow_path) increment(aggregate.workflow_paths, invocation.workflow_path)
  if (invocation.error_type) increment(aggregate.common_errors, invocation.error_type)
  for (const action of invocation.follow_up_actions) increment(aggregate.follow_up_actions, action)
  return aggregate
}

/** Completed over total, in percent; 0.0 for a skill never completed. */
export function completionRate(aggregate: SkillAggregate): number {
  if (aggregate.total_invocations === 0) return 0
  return (aggregate.completed_invocations / aggregate.total_invocations) * 100
}

/** Total duration over completed invocations; 0.0 when none completed. */
export function averageDuration(aggregate: SkillAggregate): number {
  if (aggregate.completed_invocations === 0) return 0
  return aggregate.total_duration_seconds / aggregate.completed_invocations
}

export function toSkillMetrics(
  aggregate: SkillAggregate,
  completedDurations: readonly number[],
): SkillMetrics {
  const { p50, p95, p99 } = percentiles(completedDurations)
  return {
    ...aggregate,
    completion_rate: completionRate(aggregate),
    avg_duration_seconds: averageDuration(aggregate),
    p50_duration_seconds: p50,
    p95_duration_seconds: p95,
    p99_duration_seconds: p99,
  }
}

/** Aggregates recomputed from records alone: what a file holds when none of its history was pruned. */
export function aggregatesFromInvocations(
  invocations: Iterable<LegacyInvocation>,
): Map<string, SkillAggregate> {
  const skills = new Map<string, SkillAggregate>()
  for (const invocation of invocations) {
    if (completerRan(invocation)) applyCompletion(skills, invocation)
  }
  return skills
}

/** The completer always sets a duration; a pending record (never completed) has none. */
export function completerRan(invocation: LegacyInvocation): boolean {
  return invocation.duration_seconds !== null
}
