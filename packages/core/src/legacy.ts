/** An ordered JSON value: objects keep their key order (even keys that look like numbers). */
export type JsonValue = null | boolean | number | PyFloat | string | JsonValue[] | JsonObject
export type JsonObject = Map<string, JsonValue>

/**
 * A number that Python holds as a float. JSON has one number type; Python has two, and prints
 * `1.0` for a float and `1` for an int, so values outside the known fields keep the distinction.
 */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** One record of the legacy `invocations` list, with the original's field names and order. */
export interface LegacyInvocation {
  skill_name: string
  invoked_at: string
  workflow_path: string | null
  completed: boolean
  duration_seconds: number | null
  follow_up_actions: string[]
  error_type: string | null
}

/** The stored aggregates of one skill: the legacy record without its two computed fields. */
export interface SkillAggregate {
  skill_name: string
  total_invocations: number
  completed_invocations: number
  abandoned_invocations: number
  total_duration_seconds: number
  workflow_paths: Map<string, number>
  common_errors: Map<string, number>
  follow_up_actions: Map<string, number>
  first_invoked: string | null
  last_invoked: string | null
}

/** A skill's metrics as the trackers return them: aggregates, computed fields, percentiles. */
export interface SkillMetrics extends SkillAggregate {
  completion_rate: number
  avg_duration_seconds: number
  p50_duration_seconds: number | null
  p95_duration_seconds: number | null
  p99_duration_seconds: number | null
}

/** A whole legacy file in memory. `extra` keeps unknown top-level keys, in order. */
export interface LegacyDocument {
  invocations: LegacyInvocation[]
  skills: Map<string, SkillAggregate>
  last_updated: string | null
  extra: Array<[string, JsonValue]>
}

export const INVOCATION_FIELDS = [
  'skill_name',
  'invoked_at',
  'workflow_path',
  'completed',
  'duration_seconds',
  'follow_up_actions',
  'error_type',
] as const

export const SKILL_FIELDS = [
  'skill_name',
  'total_invocations',
  'completed_invocations',
  'abandoned_invocations',
  'total_duration_seconds',
  'workflow_paths',
  'common_errors',
  'follow_up_actions',
  'first_invoked',
  'last_invoked',
] as const

/** Fields of a skill record that the original recomputes on save and drops on load. */
export const COMPUTED_SKILL_FIELDS = ['completion_rate', 'avg_duration_seconds'] as const

export function emptyDocument(): LegacyDocument {
  return { invocations: [], skills: new Map(), last_updated: null, extra: [] }
}
