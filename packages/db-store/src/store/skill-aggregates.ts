import {
  averageDuration,
  completionRate,
  parseCounter,
  type SkillAggregate,
  stringifyCounter,
} from '@skill-metrics/core'
import type { SqlSession } from '../schema/sql-session.js'
import { asText } from './dialect-sql.js'
import { SCHEMA_VERSION_WRITTEN } from './invocation-rows.js'

/**
 * A row of `skill_metrics` (the original design's table; the schema comes from migrations/).
 * Counter maps are JSON text: PostgreSQL's json keeps key order, jsonb would not.
 */
export interface SkillMetricsRow {
  skill_name: string
  total_invocations: number
  completed_invocations: number
  abandoned_invocations: number
  total_duration_seconds: number
  workflow_paths: string
  common_errors: string
  follow_up_actions: string
  first_invoked: string | null
  last_invoked: string | null
  completion_rate: number | null
  avg_duration_seconds: number | null
  p50_duration_seconds: number | null
  p95_duration_seconds: number | null
  p99_duration_seconds: number | null
  position: number | null
  last_completion_seq: number | null
}

/**
 * The skills' aggregates with their place in the file's map, `only` one or all in map order; a
 * skill with no place (the file never held it) comes after those with one, on both dialects.
 */
export async function readSkillAggregates(
  sql: SqlSession,
  only?: string,
): Promise<
  Array<{ aggregate: SkillAggregate; position: number | null; lastCompletionSeq: number | null }>
> {
  const rows = await sql.rows<SkillMetricsRow>(
    `SELECT skill_name, total_invocations, completed_invocations, abandoned_invocations, total_duration_seconds,
       ${asText(sql.dialect, 'workflow_paths')}, ${asText(sql.dialect, 'common_errors')}, ${asText(sql.dialect, 'follow_up_actions')},
       first_invoked, last_invoked, position, last_completion_seq
     FROM skill_metrics ${only === undefined ? '' : 'WHERE skill_name = ?'} ORDER BY position IS NULL, position, skill_name`,
    only === undefined ? [] : [only],
  )
  return rows.map((row) => ({
    aggregate: aggregateOf(row),
    position: row.position,
    lastCompletionSeq: row.last_completion_seq === null ? null : Number(row.last_completion_seq),
  }))
}

function aggregateOf(row: SkillMetricsRow): SkillAggregate {
  return {
    skill_name: row.skill_name,
    total_invocations: Number(row.total_invocations),
    completed_invocations: Number(row.completed_invocations),
    abandoned_invocations: Number(row.abandoned_invocations),
    total_duration_seconds: Number(row.total_duration_seconds),
    workflow_paths: parseCounter(row.workflow_paths),
    common_errors: parseCounter(row.common_errors),
    follow_up_actions: parseCounter(row.follow_up_actions),
    first_invoked: row.first_invoked,
    last_invoked: row.last_invoked,
  }
}

/** Writes a skill's aggregates and the fields computed from them at `position` in the map. */
export async function saveSkill(
  sql: SqlSession,
  name: string,
  aggregate: SkillAggregate,
  position: number,
  lastCompletionSeq: number | null,
): Promise<void> {
  // Positions are unique: a skill moved onto a taken place first pushes the holder aside.
  await sql.rows(
    'UPDATE skill_metrics SET position = NULL WHERE position = ? AND skill_name <> ?',
    [position, name],
  )
  await sql.rows(
    `INSERT INTO skill_metrics (skill_name, total_invocations, completed_invocations, abandoned_invocations,
       total_duration_seconds, workflow_paths, common_errors, follow_up_actions, first_invoked, last_invoked,
       completion_rate, avg_duration_seconds, schema_version, position, last_completion_seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (skill_name) DO UPDATE SET total_invocations = excluded.total_invocations,
       completed_invocations = excluded.completed_invocations, abandoned_invocations = excluded.abandoned_invocations,
       total_duration_seconds = excluded.total_duration_seconds, workflow_paths = excluded.workflow_paths,
       common_errors = excluded.common_errors, follow_up_actions = excluded.follow_up_actions,
       first_invoked = excluded.first_invoked, last_invoked = excluded.last_invoked,
       completion_rate = excluded.completion_rate, avg_duration_seconds = excluded.avg_duration_seconds,
       schema_version = excluded.schema_version, position = excluded.position,
       last_completion_seq = excluded.last_completion_seq`,
    [
      name,
      aggregate.total_invocations,
      aggregate.completed_invocations,
      aggregate.abandoned_invocations,
      aggregate.total_duration_seconds,
      stringifyCounter(aggregate.workflow_paths),
      stringifyCounter(aggregate.common_errors),
      stringifyCounter(aggregate.follow_up_actions),
      aggregate.first_invoked,
      aggregate.last_invoked,
      completionRate(aggregate),
      averageDuration(aggregate),
      SCHEMA_VERSION_WRITTEN,
      position,
      lastCompletionSeq,
    ],
  )
}
