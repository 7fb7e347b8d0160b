import {
  BadInputError,
  formatFixed1,
  type JsonObject,
  type JsonValue,
  PyFloat,
  type SkillMetrics,
  type Summary,
} from '@skill-metrics/core'

/** One skill of `metrics SKILL`; a name the file does not have is bad input. */
export function selectSkill(
  all: ReadonlyMap<string, SkillMetrics>,
  skill: string,
  file: string,
): Map<string, SkillMetrics> {
  const metrics = all.get(skill)
  if (metrics === undefined) {
    throw new BadInputError(
      { file, record: `skills[${JSON.stringify(skill)}]` },
      `no skill named ${JSON.stringify(skill)} (the file has ${all.size} skills)`,
      { nextStep: 'Run skill-metrics metrics to list the skills.' },
    )
  }
  return new Map([[skill, metrics]])
}

const float = (value: number) => new PyFloat(value)
const nullableFloat = (value: number | null) => (value === null ? null : float(value))

/**
 * `{name: record}` in the file's order with the legacy record's fields (as `to_dict()` writes
 * them) and the three percentiles, as ordered JSON: skill names that look like numbers keep their
 * place, which a plain object would not.
 */
export function metricsJson(metrics: ReadonlyMap<string, SkillMetrics>): JsonObject {
  return new Map(
    [...metrics].map(([name, skill]): [string, JsonValue] => [
      name,
      new Map<string, JsonValue>([
        ['skill_name', skill.skill_name],
        ['total_invocations', skill.total_invocations],
        ['completed_invocations', skill.completed_invocations],
        ['abandoned_invocations', skill.abandoned_invocations],
        ['total_duration_seconds', float(skill.total_duration_seconds)],
        ['workflow_paths', new Map(skill.workflow_paths)],
        ['common_errors', new Map(skill.common_errors)],
        ['follow_up_actions', new Map(skill.follow_up_actions)],
        ['first_invoked', skill.first_invoked],
        ['last_invoked', skill.last_invoked],
        ['completion_rate', float(skill.completion_rate)],
        ['avg_duration_seconds', float(skill.avg_duration_seconds)],
        ['p50_duration_seconds', nullableFloat(skill.p50_duration_seconds)],
        ['p95_duration_seconds', nullableFloat(skill.p95_duration_seconds)],
        ['p99_duration_seconds', nullableFloat(skill.p99_duration_seconds)],
      ]),
    ]),
  )
}

const seconds = (value: number | null) => (value === null ? '-' : formatFixed1(value))

export async function metricsTable(metrics: ReadonlyMap<string, SkillMetrics>): Promise<string> {
  if (metrics.size === 0) return 'No skills tracked yet.'
  // Loaded on use: the table renderer (ink, react) is the heaviest import of the CLI.
  const { makeTable } = await import('@oclif/table')
  return makeTable({
    data: [...metrics.values()].map((skill) => ({
      skill: skill.skill_name,
      total: skill.total_invocations,
      completed: skill.completed_invocations,
      abandoned: skill.abandoned_invocations,
      completion: `${formatFixed1(skill.completion_rate)}%`,
      avg: formatFixed1(skill.avg_duration_seconds),
      p50: seconds(skill.p50_duration_seconds),
      p95: seconds(skill.p95_duration_seconds),
      p99: seconds(skill.p99_duration_seconds),
    })),
    columns: [
      { key: 'skill', name: 'Skill' },
      { key: 'total', name: 'Total' },
      { key: 'completed', name: 'Completed' },
      { key: 'abandoned', name: 'Abandoned' },
      { key: 'completion', name: 'Completion' },
      { key: 'avg', name: 'Avg s' },
      { key: 'p50', name: 'p50 s' },
      { key: 'p95', name: 'p95 s' },
      { key: 'p99', name: 'p99 s' },
    ],
    borderStyle: 'vertical-with-outline',
    overflow: 'truncate',
  })
}

export function summaryText(summary: Summary): string {
  const lines = [
    `Skills: ${summary.total_skills}`,
    `Invocations: ${summary.total_invocations}`,
    `Overall completion rate: ${formatFixed1(summary.overall_completion_rate)}%`,
    `Average duration: ${formatFixed1(summary.avg_duration_seconds)}s`,
  ]
  if ('skills_by_usage' in summary) {
    lines.push(`Most used: ${summary.most_used_skill} (${summary.most_used_count} invocations)`)
  }
  return lines.join('\n')
}
