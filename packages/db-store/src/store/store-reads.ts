import {
  type LegacyDocument,
  type LegacyInvocation,
  type SkillAggregate,
  type SkillMetrics,
  toSkillMetrics,
} from '@skill-metrics/core'
import { sqlBoolean } from './dialect-sql.js'
import { invocationColumns, invocationOfRow, legacyRecordOf } from './invocation-rows.js'
import { readSkillAggregates } from './skill-aggregates.js'
import type { StoreConnection } from './store-connection.js'
import type { StoredInvocation } from './store-types.js'

/** Every stored invocation in file order, in pages: memory stays flat for any count. */
export async function* storedInvocations(
  connection: StoreConnection,
  pageSize: number,
): AsyncGenerator<StoredInvocation> {
  let after = -1
  for (;;) {
    const rows = await connection.session((sql) =>
      sql.rows<Record<string, unknown>>(
        `SELECT ${invocationColumns(sql.dialect)} FROM skill_invocation WHERE seq > ? ORDER BY seq LIMIT ?`,
        [after, pageSize],
      ),
    )
    for (const row of rows) yield invocationOfRow(row)
    if (rows.length < pageSize) return
    after = Number(rows.at(-1)!.seq)
  }
}

/** The id of every stored invocation, those without a position in the file included. */
export async function* storedInvocationIds(
  connection: StoreConnection,
  pageSize: number,
): AsyncGenerator<string> {
  let after = ''
  for (;;) {
    const rows = await connection.session((sql) =>
      sql.rows<{ id: string }>('SELECT id FROM skill_invocation WHERE id > ? ORDER BY id LIMIT ?', [
        after,
        pageSize,
      ]),
    )
    for (const row of rows) yield row.id
    if (rows.length < pageSize) return
    after = rows.at(-1)!.id
  }
}

/** Stored invocations without a position or past `fileLength`: completed in completion order, then pending. */
export async function invocationsOutside(
  connection: StoreConnection,
  fileLength: number,
): Promise<StoredInvocation[]> {
  const rows = await connection.session((sql) =>
    sql.rows<Record<string, unknown>>(
      `SELECT ${invocationColumns(sql.dialect)} FROM skill_invocation WHERE seq IS NULL OR seq >= ?
       ORDER BY duration_seconds IS NULL, completion_seq IS NULL, completion_seq, seq IS NULL, seq, invoked_at, id`,
      [fileLength],
    ),
  )
  return rows.map(invocationOfRow)
}

/** The skills' aggregates in the legacy file's map order. */
export async function skillAggregatesOf(
  connection: StoreConnection,
): Promise<Map<string, SkillAggregate>> {
  const skills = await connection.session((sql) => readSkillAggregates(sql))
  return new Map(skills.map(({ aggregate }) => [aggregate.skill_name, aggregate]))
}

/**
 * What the database holds as a legacy document: every invocation in the file's order, then
 * those without a position (records the file had dropped), oldest first; every skill in the
 * map's order.
 */
export async function legacyDocumentOf(connection: StoreConnection): Promise<LegacyDocument> {
  const invocations: LegacyInvocation[] = []
  for await (const invocation of storedInvocations(connection, 5_000))
    invocations.push(legacyRecordOf(invocation))
  const unpositioned = await connection.session((sql) =>
    sql.rows<Record<string, unknown>>(
      `SELECT ${invocationColumns(sql.dialect)} FROM skill_invocation WHERE seq IS NULL ORDER BY invoked_at, id`,
    ),
  )
  for (const row of unpositioned) invocations.push(legacyRecordOf(invocationOfRow(row)))
  return {
    invocations,
    skills: await skillAggregatesOf(connection),
    last_updated: null,
    extra: [],
  }
}

/** Metrics of every skill, or of `only`, with percentiles computed exactly from the durations. */
export async function metricsOf(
  connection: StoreConnection,
  only?: string,
): Promise<Map<string, SkillMetrics>> {
  const skills = await skillAggregatesOf(connection)
  const durations = await completedDurations(connection, only)
  const metrics = new Map<string, SkillMetrics>()
  for (const [name, aggregate] of skills) {
    if (only === undefined || only === name)
      metrics.set(name, toSkillMetrics(aggregate, durations.get(name) ?? []))
  }
  return metrics
}

/** Completed durations per skill, ascending. */
async function completedDurations(
  connection: StoreConnection,
  only?: string,
): Promise<Map<string, number[]>> {
  const rows = await connection.session((sql) =>
    sql.rows<{ skill_name: string; duration_seconds: number }>(
      `SELECT skill_name, duration_seconds FROM skill_invocation
       WHERE completed = ? AND duration_seconds IS NOT NULL ${only === undefined ? '' : 'AND skill_name = ?'}
       ORDER BY skill_name, duration_seconds`,
      only === undefined ? [sqlBoolean(sql.dialect, true)] : [sqlBoolean(sql.dialect, true), only],
    ),
  )
  const durations = new Map<string, number[]>()
  for (const row of rows) {
    const list = durations.get(row.skill_name)
    if (list === undefined) durations.set(row.skill_name, [Number(row.duration_seconds)])
    else list.push(Number(row.duration_seconds))
  }
  return durations
}

export async function invocationCountOf(connection: StoreConnection): Promise<number> {
  const [row] = await connection.session((sql) =>
    sql.rows<{ n: number | string }>('SELECT COUNT(*) AS n FROM skill_invocation'),
  )
  return Number(row!.n)
}

/**
 * Invocations whose completer ran, per day of `invoked_at` (its first ten characters, as the
 * legacy file keeps it), completed and abandoned, oldest first: counted by the database.
 */
export async function invocationsPerDayOf(
  connection: StoreConnection,
): Promise<Array<{ day: string; completed: number; abandoned: number }>> {
  const rows = await connection.session((sql) =>
    sql.rows<{ day: string; completed: number | string; abandoned: number | string }>(
      `SELECT substr(invoked_at, 1, 10) AS day,
              SUM(CASE WHEN completed = ? THEN 1 ELSE 0 END) AS completed,
              SUM(CASE WHEN completed = ? THEN 0 ELSE 1 END) AS abandoned
       FROM skill_invocation WHERE duration_seconds IS NOT NULL
       GROUP BY substr(invoked_at, 1, 10) ORDER BY day`,
      [sqlBoolean(sql.dialect, true), sqlBoolean(sql.dialect, true)],
    ),
  )
  return rows.map(({ day, completed, abandoned }) => ({
    day,
    completed: Number(completed),
    abandoned: Number(abandoned),
  }))
}

/** The error types of each skill's abandoned runs (completer ran, not completed), counted. */
export async function abandonedErrorsOf(
  connection: StoreConnection,
): Promise<Map<string, Map<string, number>>> {
  const rows = await connection.session((sql) =>
    sql.rows<{ skill_name: string; error_type: string; n: number | string }>(
      `SELECT skill_name, error_type, COUNT(*) AS n FROM skill_invocation
       WHERE completed = ? AND duration_seconds IS NOT NULL AND error_type IS NOT NULL
       GROUP BY skill_name, error_type`,
      [sqlBoolean(sql.dialect, false)],
    ),
  )
  const errors = new Map<string, Map<string, number>>()
  for (const { skill_name, error_type, n } of rows) {
    const counts = errors.get(skill_name) ?? new Map<string, number>()
    counts.set(error_type, Number(n))
    errors.set(skill_name, counts)
  }
  return errors
}
