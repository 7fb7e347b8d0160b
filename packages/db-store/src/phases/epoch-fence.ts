import { StaleEpochError } from '@skill-metrics/core'
import type { SqlSession } from '../schema/sql-session.js'

/**
 * Serialises a PostgreSQL transaction with every store write (an advisory lock held to its end):
 * read-modify-writes of aggregates cannot race, and a phase change cannot slip between a write's
 * epoch check and its commit.
 */
export async function lockStoreWrites(sql: SqlSession): Promise<void> {
  await sql.rows(
    `SELECT pg_advisory_xact_lock(hashtext('skill-metrics:store:' || current_schema()))`,
  )
}

/** Throws `StaleEpochError` unless `migration_state` still holds the epoch a store writes for. */
export async function checkEpoch(sql: SqlSession, epoch: number): Promise<void> {
  const [row] = await sql.rows<{ epoch: number | string }>(
    'SELECT epoch FROM migration_state WHERE id = 1',
  )
  const current = row === undefined ? 0 : Number(row.epoch)
  if (current !== epoch) {
    throw new StaleEpochError(
      `the phase moved on (epoch ${epoch} → ${current}); this store no longer takes writes`,
    )
  }
}
