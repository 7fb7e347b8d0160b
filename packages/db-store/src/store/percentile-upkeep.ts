import { percentiles } from '@skill-metrics/core'
import type { SqlSession } from '../schema/sql-session.js'
import type { StoreConnection } from './store-connection.js'

/** Recomputes the percentile columns of these skills from their stored completed durations. */
export async function refreshPercentiles(
  connection: StoreConnection,
  sql: SqlSession,
  names: string[],
): Promise<void> {
  const durationsOf =
    'SELECT duration_seconds FROM skill_invocation WHERE skill_name = ? AND completed = ? AND duration_seconds IS NOT NULL'
  for (const name of names) {
    // On SQLite a plucked column straight from the connection (inside this transaction): a
    // row object per duration through TypeORM cost 2.5 s for a million completions.
    const durations =
      connection.dialect === 'sqlite'
        ? (connection.sqliteConnection().prepare(durationsOf).pluck().all(name, 1) as number[])
        : (await sql.rows<{ duration_seconds: number }>(durationsOf, [name, true])).map((row) =>
            Number(row.duration_seconds),
          )
    await savePercentiles(sql, name, durations)
  }
}

export async function savePercentiles(
  sql: SqlSession,
  name: string,
  durations: number[],
): Promise<void> {
  const { p50, p95, p99 } = percentiles(durations)
  await sql.rows(
    'UPDATE skill_metrics SET p50_duration_seconds = ?, p95_duration_seconds = ?, p99_duration_seconds = ? WHERE skill_name = ?',
    [p50, p95, p99, name],
  )
}
