import { INVOCATION_FIELDS, type LegacyInvocation } from '@skill-metrics/core'
import type { SqlDialect } from '../schema/sql-splitter.js'
import { asText } from './dialect-sql.js'
import type { StoredInvocation } from './store-types.js'

/** The `schema_version` the store writes on invocation rows (the V3 layout). */
export const SCHEMA_VERSION_WRITTEN = 3

/** The columns a stored invocation is read from, in this order: id, the legacy fields, order. */
export const INVOCATION_COLUMN_NAMES = [
  'id',
  ...INVOCATION_FIELDS,
  'seq',
  'completion_seq',
  'session_id',
] as const

export type InvocationColumn = (typeof INVOCATION_COLUMN_NAMES)[number]

/** The SELECT list `invocationOfRow` reads, JSON read back as text. */
export function invocationColumns(dialect: SqlDialect): string {
  return INVOCATION_COLUMN_NAMES.map((name) =>
    name === 'follow_up_actions' ? asText(dialect, name) : name,
  ).join(', ')
}

/** Every column an INSERT of an invocation names, in the order its values are given. */
export const INSERT_COLUMN_NAMES = [
  'id',
  'skill_name',
  'invoked_at',
  'workflow_path',
  'completed',
  'duration_seconds',
  'error_type',
  'session_id',
  'follow_up_actions',
  'schema_version',
  'seq',
  'completion_seq',
] as const

export const INSERT_COLUMNS = INSERT_COLUMN_NAMES.join(', ')

/** What a bulk update may change: everything but the identity and the session. */
export const UPDATED_COLUMN_NAMES = INVOCATION_COLUMN_NAMES.filter(
  (name) => name !== 'id' && name !== 'session_id',
)

/** A column's value as the bulk paths bind it: the follow-ups as JSON text. */
export function columnValue(record: StoredInvocation, column: InvocationColumn): unknown {
  return column === 'follow_up_actions' ? JSON.stringify(record.follow_up_actions) : record[column]
}

/** A stored invocation from a row of `invocationColumns` (JSON read back as text). */
export function invocationOfRow(row: Record<string, unknown>): StoredInvocation {
  return {
    id: String(row.id),
    skill_name: String(row.skill_name),
    invoked_at: String(row.invoked_at),
    workflow_path: row.workflow_path === null ? null : String(row.workflow_path),
    completed: Boolean(row.completed),
    duration_seconds: row.duration_seconds === null ? null : Number(row.duration_seconds),
    follow_up_actions: JSON.parse(String(row.follow_up_actions ?? '[]')) as string[],
    error_type: row.error_type === null ? null : String(row.error_type),
    seq: row.seq === null ? null : Number(row.seq),
    completion_seq: row.completion_seq === null ? null : Number(row.completion_seq),
    session_id: row.session_id === null ? null : String(row.session_id),
  }
}

/** A legacy record as the store keeps it, at its position in the file with its id. */
export function storedRecordOf(
  invocation: LegacyInvocation,
  id: string,
  seq: number,
): StoredInvocation {
  return { id, ...legacyRecordOf(invocation), seq, completion_seq: null, session_id: null }
}

/** Just the legacy record's fields, without the store's identity and order. */
export function legacyRecordOf(invocation: LegacyInvocation): LegacyInvocation {
  return {
    skill_name: invocation.skill_name,
    invoked_at: invocation.invoked_at,
    workflow_path: invocation.workflow_path,
    completed: invocation.completed,
    duration_seconds: invocation.duration_seconds,
    follow_up_actions: invocation.follow_up_actions,
    error_type: invocation.error_type,
  }
}
