import { sameInvocation } from '@skill-metrics/core'
import type { SqlSession } from '../../schema/sql-session.js'
import { CHECKPOINT_OF_BATCH, POSITIONS_IN_RANGE, SAVE_CHECKPOINT } from '../batch-statements.js'
import { type BatchOperations, sessionsOf } from '../batch-sync.js'
import {
  columnValue,
  INSERT_COLUMN_NAMES,
  INSERT_COLUMNS,
  INVOCATION_COLUMN_NAMES,
  type InvocationColumn,
  invocationColumns,
  invocationOfRow,
  SCHEMA_VERSION_WRITTEN,
  UPDATED_COLUMN_NAMES,
} from '../invocation-rows.js'
import type { BackfillBatch, FileRecord, StoredInvocation } from '../store-types.js'

const COLUMNS = invocationColumns('postgres')

/** The array type each column travels in; the follow-ups go as text and are cast to json. */
const ARRAY_TYPES: Record<InvocationColumn, string> = {
  id: 'text[]',
  skill_name: 'text[]',
  invoked_at: 'text[]',
  workflow_path: 'text[]',
  completed: 'boolean[]',
  duration_seconds: 'float8[]',
  follow_up_actions: 'text[]',
  error_type: 'text[]',
  seq: 'bigint[]',
  completion_seq: 'bigint[]',
  session_id: 'text[]',
}

/** The columns of a batch as PostgreSQL arrays, for `unnest`. */
const UNNEST = `unnest(${INVOCATION_COLUMN_NAMES.map((column) => `?::${ARRAY_TYPES[column]}`).join(', ')})
  AS u(${INVOCATION_COLUMN_NAMES.join(', ')})`

const fromUnnest = (column: InvocationColumn) =>
  column === 'follow_up_actions' ? `u.${column}::json` : `u.${column}`

function columnsOf(records: StoredInvocation[]): unknown[][] {
  return INVOCATION_COLUMN_NAMES.map((column) =>
    records.map((record) => columnValue(record, column)),
  )
}

/**
 * PostgreSQL: one round trip per operation for the whole batch, the rows passed as arrays and
 * `unnest`ed. COPY (pg-copy-streams) would need a staging table and a second statement per batch
 * to get the upsert COPY lacks; a batch of a thousand rows fits in one parameter set.
 */
export class PostgresBatchOperations implements BatchOperations {
  constructor(readonly sql: SqlSession) {}

  async checkpoint(firstSeq: number) {
    const [row] = await this.sql.rows<{ record_count: number | string; digest: string }>(
      CHECKPOINT_OF_BATCH,
      [firstSeq],
    )
    return row === undefined
      ? undefined
      : { record_count: Number(row.record_count), digest: row.digest }
  }

  async existing(ids: string[]) {
    const rows = await this.sql.rows<Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM skill_invocation WHERE id = ANY(?::text[])`,
      [ids],
    )
    return new Map(rows.map((row) => [String(row.id), invocationOfRow(row)]))
  }

  async differencesInRange(first: number, end: number, records: FileRecord[]) {
    const rows = await this.sql.rows<Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM skill_invocation WHERE seq >= ? AND seq < ?`,
      [first, end],
    )
    const stored = new Map(rows.map((row) => [String(row.id), invocationOfRow(row)]))
    const absent: string[] = []
    const differing = new Map<string, StoredInvocation>()
    for (const { id, record } of records) {
      const found = stored.get(id)
      if (found === undefined) absent.push(id)
      else if (!sameInvocation(found, record)) differing.set(id, found)
    }
    return { absent, differing }
  }

  async positionsInRange(first: number, end: number) {
    const rows = await this.sql.rows<{ id: string; seq: number | string }>(POSITIONS_IN_RANGE, [
      first,
      end,
    ])
    return rows.map((row): [string, number] => [row.id, Number(row.seq)])
  }

  async unposition(ids: string[]) {
    await this.sql.rows('UPDATE skill_invocation SET seq = NULL WHERE id = ANY(?::text[])', [ids])
  }

  async insertNew(records: StoredInvocation[]) {
    if (records.length === 0) return []
    const sessions = sessionsOf(records)
    if (sessions.length > 0) {
      await this.sql.rows(
        'INSERT INTO sessions (id) SELECT unnest(?::text[]) ON CONFLICT (id) DO NOTHING',
        [sessions],
      )
    }
    const inserted = await this.sql.rows<{ id: string }>(
      `INSERT INTO skill_invocation (${INSERT_COLUMNS})
       SELECT ${INSERT_COLUMN_NAMES.map((column) => (column === 'schema_version' ? SCHEMA_VERSION_WRITTEN : fromUnnest(column))).join(', ')}
       FROM ${UNNEST}
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      columnsOf(records),
    )
    const insertedIds = new Set(inserted.map((row) => row.id))
    return records.filter((record) => !insertedIds.has(record.id))
  }

  async update(records: StoredInvocation[]) {
    if (records.length === 0) return
    await this.sql.rows(
      `UPDATE skill_invocation AS t SET ${UPDATED_COLUMN_NAMES.map((column) => `${column} = ${fromUnnest(column)}`).join(', ')}
       FROM ${UNNEST} WHERE t.id = u.id`,
      columnsOf(records),
    )
  }

  async saveCheckpoint(batch: BackfillBatch, at: string) {
    await this.sql.rows(SAVE_CHECKPOINT, [batch.firstSeq, batch.span, batch.digest, at])
  }
}
