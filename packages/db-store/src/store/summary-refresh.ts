import { type Clock, type Summary, stringifyCounter, summarize } from '@skill-metrics/core'
import { refreshPercentiles } from './percentile-upkeep.js'
import type { StoreConnection } from './store-connection.js'
import { skillAggregatesOf } from './store-reads.js'

/** Records the current summary in `skill_metrics_summary` (the original's materialised view). */
export async function refreshSummary(connection: StoreConnection, clock: Clock): Promise<Summary> {
  const skills = await skillAggregatesOf(connection)
  const summary = summarize(skills)
  const errors = new Map<string, number>()
  const paths = new Map<string, number>()
  for (const aggregate of skills.values()) {
    for (const [key, count] of aggregate.common_errors)
      errors.set(key, (errors.get(key) ?? 0) + count)
    for (const [key, count] of aggregate.workflow_paths)
      paths.set(key, (paths.get(key) ?? 0) + count)
  }
  await connection.write(async (sql) => {
    await refreshPercentiles(connection, sql, [...skills.keys()])
    await sql.rows(
      `INSERT INTO skill_metrics_summary (refresh_time, total_skills, total_invocations, overall_completion_rate,
         most_used_skill, most_used_count, avg_duration_seconds, top_error_types, top_workflow_paths)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        new Date(clock.now().getTime()).toISOString(),
        summary.total_skills,
        summary.total_invocations,
        summary.overall_completion_rate,
        summary.most_used_skill,
        'most_used_count' in summary ? summary.most_used_count : 0,
        summary.avg_duration_seconds,
        stringifyCounter(new Map([...errors].sort((a, b) => b[1] - a[1]).slice(0, 10))),
        stringifyCounter(new Map([...paths].sort((a, b) => b[1] - a[1]).slice(0, 10))),
      ],
    )
  })
  return summary
}
