import { INVOCATION_FIELDS, type LegacyInvocation } from '@skill-metrics/core'
import type { Database, Statement } from 'better-sqlite3'
import type { SqlSession } from '../schema/sql-session.js'
import type { StoredInvocation, UpsertResult } from './skill-metrics-store.js'

/** The `schema_version` the store writes on invocation rows (the V3 layout). */
export const SCHEMA_VERSION_WRITTEN = 3

/** One batch of the legacy file's records, by position, as the backfill hands it over. */
export interface BackfillBatch {
  /** Position in the file of the batch's first record. */
  firstSeq: number
  /** How many records of the file the batch spans, rejected ones included. */
  span: number
  /** Digest of the batch's records as the file holds them, ids included. */
  digest: string
  /** The records that passed validation; a rejected record gets no row. */
  records: StoredInvocation[]
}

export interface BatchSyncResult extends UpsertResult {
  /** The batch's checkpoint matched: nothing was read or written. */
  skipped: boolean
  /**
   * Stored rows that held one of the batch's positions without being that record there: a
   * writer that is not skill-metrics dropped or moved records in the file. They are kept with
   * no position; validation lists those the file no longer has as extra.
   */
  displaced: number
}

interface Checkpoint {
  record_count: number
  digest: string
}

/** A record of the legacy file with the id it derives. */
export interface FileRecord {
  id: string
  record: LegacyInvocation
}

export interface RangeDifferences {
  /** Not stored at those positions (perhaps elsewhere: look them up by id). */
  absent: string[]
  /** Stored there with other values. */
  differing: Map<string, StoredInvocation>
}

/** What the bulk paths (backfill, import, validation) ask of a database, inside one transaction. */
export interface BatchOperations {
  checkpoint(firstSeq: number): Promise<Checkpoint | undefined>
  existing(ids: string[]): Promise<Map<string, StoredInvocation>>
  /** Which of the file's records at positions first ≤ seq < end the database holds otherwise. */
  differencesInRange(first: number, end: number, records: FileRecord[]): Promise<RangeDifferences>
  /** The (id, seq) of every row stored at positions first ≤ seq < end. */
  positionsInRange(first: number, end: number): Promise<Array<[string, number]>>
  /** Takes these rows out of the file's order (seq NULL), keeping them. */
  unposition(ids: string[]): Promise<void>
  /** Inserts the records whose id is new; returns the others, untouched. */
  insertNew(records: StoredInvocation[]): Promise<StoredInvocation[]>
  update(records: StoredInvocation[]): Promise<void>
  saveCheckpoint(batch: BackfillBatch, at: string): Promise<void>
}

/** The row layout the raw comparison below indexes into: id, then the legacy fields in order. */
const INVOCATION_COLUMN_NAMES = [
  'id',
  ...INVOCATION_FIELDS,
  'seq',
  'completion_seq',
  'session_id',
] as const

export const INVOCATION_COLUMNS = INVOCATION_COLUMN_NAMES.join(', ')

/** A stored invocation from a row of `INVOCATION_COLUMNS` (JSON read back as text). */
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

/** Whether a stored invocation holds exactly the legacy record's values. */
export function sameRecord(stored: LegacyInvocation, record: LegacyInvocation): boolean {
  return (
    stored.skill_name === record.skill_name &&
    stored.invoked_at === record.invoked_at &&
    stored.workflow_path === record.workflow_path &&
    stored.completed === record.completed &&
    stored.duration_seconds === record.duration_seconds &&
    stored.error_type === record.error_type &&
    stored.follow_up_actions.length === record.follow_up_actions.length &&
    stored.follow_up_actions.every((action, index) => action === record.follow_up_actions[index])
  )
}

export interface Classified {
  inserts: StoredInvocation[]
  updates: StoredInvocation[]
}

/** When a stored record must take the given one's values. */
export type UpdateRule = (stored: StoredInvocation, record: StoredInvocation) => boolean

/** Live writes only move forward: a pending record gets its completion. */
export const movesForward: UpdateRule = (stored, record) =>
  stored.duration_seconds === null && record.duration_seconds !== null

/** While the legacy file is the source of truth, any value or position that differs. */
export const jsonWins: UpdateRule = (stored, record) =>
  !sameRecord(stored, record) || stored.seq !== record.seq

/**
 * Which records are new and which must change under `rule`, keeping the completion sequence the
 * store already knows.
 */
export function classify(
  records: StoredInvocation[],
  existing: Map<string, StoredInvocation>,
  rule: UpdateRule,
): Classified {
  const inserts: StoredInvocation[] = []
  const updates: StoredInvocation[] = []
  for (const record of records) {
    const stored = existing.get(record.id)
    if (stored === undefined) inserts.push(record)
    else if (rule(stored, record)) {
      updates.push({ ...record, completion_seq: record.completion_seq ?? stored.completion_seq })
    }
  }
  return { inserts, updates }
}

/**
 * Inserts what is new and moves what exists by `rule`, in the caller's transaction; a dry run
 * only counts.
 */
export async function upsertWith(
  operations: BatchOperations,
  records: StoredInvocation[],
  rule: UpdateRule,
  dryRun: boolean,
): Promise<UpsertResult> {
  // Inserting first and reading back only the records already there spares the first run,
  // which inserts nearly everything, a lookup per record.
  const known = dryRun ? records : await operations.insertNew(records)
  const existing = await operations.existing(known.map((record) => record.id))
  const { inserts, updates } = classify(known, existing, rule)
  if (!dryRun) await operations.update(updates)
  const inserted = records.length - known.length + inserts.length
  return {
    inserted,
    updated: updates.length,
    unchanged: records.length - inserted - updates.length,
  }
}

/**
 * Makes the database equal to one batch of the legacy file (JSON wins), unless the batch's
 * checkpoint says it already is. The checkpoint is written with the records, so a run killed
 * anywhere either left the whole batch and its checkpoint or neither: a rerun redoes at most the
 * batch that was in flight.
 */
export async function syncBatchWith(
  operations: BatchOperations,
  batch: BackfillBatch,
  { dryRun, at }: { dryRun: boolean; at: string },
): Promise<BatchSyncResult> {
  const checkpoint = await operations.checkpoint(batch.firstSeq)
  if (checkpoint?.digest === batch.digest && checkpoint.record_count === batch.span) {
    return { skipped: true, inserted: 0, updated: 0, unchanged: batch.records.length, displaced: 0 }
  }
  // Positions are the file's too (JSON wins): a row in the way of the file's order steps aside
  // first, so the unique seq index never refuses a record the file has.
  const filePositions = new Map(batch.records.map((record) => [record.id, record.seq]))
  const inTheWay = (
    await operations.positionsInRange(batch.firstSeq, batch.firstSeq + batch.span)
  ).filter(([id, seq]) => filePositions.get(id) !== seq)
  if (!dryRun && inTheWay.length > 0) await operations.unposition(inTheWay.map(([id]) => id))
  const written = await upsertWith(operations, batch.records, jsonWins, dryRun)
  if (!dryRun) await operations.saveCheckpoint(batch, at)
  return {
    ...written,
    skipped: false,
    displaced: inTheWay.filter(([id]) => !filePositions.has(id)).length,
  }
}

const INSERT_COLUMNS =
  'id, skill_name, invoked_at, workflow_path, completed, duration_seconds, error_type, session_id, follow_up_actions, schema_version, seq, completion_seq'

/** A record's named parameters for SQLite: booleans as 0/1, the follow-ups as JSON text. */
const sqliteRowOf = (record: StoredInvocation) => ({
  id: record.id,
  skill_name: record.skill_name,
  invoked_at: record.invoked_at,
  workflow_path: record.workflow_path,
  completed: record.completed ? 1 : 0,
  duration_seconds: record.duration_seconds,
  error_type: record.error_type,
  follow_up_actions: JSON.stringify(record.follow_up_actions),
  session_id: record.session_id,
  seq: record.seq,
  completion_seq: record.completion_seq,
})

/**
 * SQLite through the better-sqlite3 connection TypeORM holds, with prepared statements: TypeORM's
 * query path (a statement compiled per call, multi-row VALUES lists, IN lists of ids) measured
 * 70 s for a million records, most of it outside SQLite.
 */
export class SqliteBatchOperations implements BatchOperations {
  readonly #checkpoint: Statement
  readonly #existing: Statement
  readonly #positioned: Statement
  readonly #positions: Statement
  readonly #unposition: Statement
  readonly #insert: Statement
  readonly #ensureSession: Statement
  readonly #update: Statement
  readonly #saveCheckpoint: Statement

  constructor(database: Database) {
    this.#checkpoint = database.prepare(
      'SELECT record_count, digest FROM backfill_batch WHERE first_seq = ?',
    )
    this.#existing = database.prepare(
      `SELECT ${INVOCATION_COLUMNS} FROM skill_invocation WHERE id = ?`,
    )
    this.#positioned = database
      .prepare(`SELECT ${INVOCATION_COLUMNS} FROM skill_invocation WHERE seq >= ? AND seq < ?`)
      .raw(true)
    this.#positions = database
      .prepare('SELECT id, seq FROM skill_invocation WHERE seq >= ? AND seq < ?')
      .raw(true)
    this.#unposition = database.prepare('UPDATE skill_invocation SET seq = NULL WHERE id = ?')
    this.#insert = database.prepare(
      `INSERT INTO skill_invocation (${INSERT_COLUMNS})
       VALUES (@id, @skill_name, @invoked_at, @workflow_path, @completed, @duration_seconds, @error_type,
         @session_id, @follow_up_actions, ${SCHEMA_VERSION_WRITTEN}, @seq, @completion_seq)
       ON CONFLICT (id) DO NOTHING`,
    )
    this.#ensureSession = database.prepare(
      'INSERT INTO sessions (id) VALUES (?) ON CONFLICT (id) DO NOTHING',
    )
    this.#update = database.prepare(
      `UPDATE skill_invocation SET skill_name = @skill_name, invoked_at = @invoked_at,
         workflow_path = @workflow_path, completed = @completed, duration_seconds = @duration_seconds,
         error_type = @error_type, follow_up_actions = @follow_up_actions, seq = @seq,
         completion_seq = @completion_seq
       WHERE id = @id`,
    )
    this.#saveCheckpoint = database.prepare(
      `INSERT INTO backfill_batch (first_seq, record_count, digest, synced_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (first_seq) DO UPDATE SET record_count = excluded.record_count,
         digest = excluded.digest, synced_at = excluded.synced_at`,
    )
  }

  async checkpoint(firstSeq: number) {
    return this.#checkpoint.get(firstSeq) as Checkpoint | undefined
  }

  async existing(ids: string[]) {
    const found = new Map<string, StoredInvocation>()
    for (const id of ids) {
      const row = this.#existing.get(id) as Record<string, unknown> | undefined
      if (row !== undefined) found.set(id, invocationOfRow(row))
    }
    return found
  }

  /**
   * Compares the columns as they come, in arrays: a row object and a stored record per record
   * cost validation half its time and most of its garbage. Only a row that looks different is
   * turned into a record and compared properly (JSON text may be spaced otherwise).
   */
  async differencesInRange(first: number, end: number, records: FileRecord[]) {
    const rows = new Map<string, unknown[]>()
    for (const row of this.#positioned.all(first, end) as unknown[][])
      rows.set(row[0] as string, row)
    const absent: string[] = []
    const differing = new Map<string, StoredInvocation>()
    for (const { id, record } of records) {
      const row = rows.get(id)
      if (row === undefined) absent.push(id)
      else if (
        row[1] !== record.skill_name ||
        row[2] !== record.invoked_at ||
        row[3] !== record.workflow_path ||
        row[4] !== (record.completed ? 1 : 0) ||
        row[5] !== record.duration_seconds ||
        row[6] !== JSON.stringify(record.follow_up_actions) ||
        row[7] !== record.error_type
      ) {
        const stored = invocationOfRow(
          Object.fromEntries(INVOCATION_COLUMN_NAMES.map((name, column) => [name, row[column]])),
        )
        if (!sameRecord(stored, record)) differing.set(id, stored)
      }
    }
    return { absent, differing }
  }

  async positionsInRange(first: number, end: number) {
    return this.#positions.all(first, end) as Array<[string, number]>
  }

  async unposition(ids: string[]) {
    for (const id of ids) this.#unposition.run(id)
  }

  async insertNew(records: StoredInvocation[]) {
    for (const session of sessionsOf(records)) this.#ensureSession.run(session)
    const known: StoredInvocation[] = []
    for (const record of records) {
      if (this.#insert.run(sqliteRowOf(record)).changes === 0) known.push(record)
    }
    return known
  }

  async update(records: StoredInvocation[]) {
    for (const record of records) this.#update.run(sqliteRowOf(record))
  }

  async saveCheckpoint(batch: BackfillBatch, at: string) {
    this.#saveCheckpoint.run(batch.firstSeq, batch.span, batch.digest, at)
  }
}

/** JSON read back as its text, so its key order survives (pg would parse it). */
export const POSTGRES_INVOCATION_COLUMNS = INVOCATION_COLUMNS.replace(
  'follow_up_actions',
  'follow_up_actions::text AS follow_up_actions',
)

/** The columns of a batch as PostgreSQL arrays, for `unnest`. */
const UNNEST = `unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::float8[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::text[])
  AS u(id, skill_name, invoked_at, workflow_path, completed, duration_seconds, error_type, follow_up_actions, seq, completion_seq, session_id)`

function columnsOf(records: StoredInvocation[]): unknown[][] {
  return [
    records.map((record) => record.id),
    records.map((record) => record.skill_name),
    records.map((record) => record.invoked_at),
    records.map((record) => record.workflow_path),
    records.map((record) => record.completed),
    records.map((record) => record.duration_seconds),
    records.map((record) => record.error_type),
    records.map((record) => JSON.stringify(record.follow_up_actions)),
    records.map((record) => record.seq),
    records.map((record) => record.completion_seq),
    records.map((record) => record.session_id),
  ]
}

/** The distinct sessions the records name: each needs its row before an invocation points at it. */
const sessionsOf = (records: StoredInvocation[]) => [
  ...new Set(records.flatMap((record) => (record.session_id === null ? [] : [record.session_id]))),
]

/**
 * PostgreSQL: one round trip per operation for the whole batch, the rows passed as arrays and
 * `unnest`ed. COPY (pg-copy-streams) would need a staging table and a second statement per batch
 * to get the upsert COPY lacks; a batch of a thousand rows fits in one parameter set.
 */
export class PostgresBatchOperations implements BatchOperations {
  constructor(readonly sql: SqlSession) {}

  async checkpoint(firstSeq: number) {
    const [row] = await this.sql.rows<{ record_count: number | string; digest: string }>(
      'SELECT record_count, digest FROM backfill_batch WHERE first_seq = ?',
      [firstSeq],
    )
    return row === undefined
      ? undefined
      : { record_count: Number(row.record_count), digest: row.digest }
  }

  async existing(ids: string[]) {
    const rows = await this.sql.rows<Record<string, unknown>>(
      `SELECT ${POSTGRES_INVOCATION_COLUMNS} FROM skill_invocation WHERE id = ANY(?::text[])`,
      [ids],
    )
    return new Map(rows.map((row) => [String(row.id), invocationOfRow(row)]))
  }

  async differencesInRange(first: number, end: number, records: FileRecord[]) {
    const rows = await this.sql.rows<Record<string, unknown>>(
      `SELECT ${POSTGRES_INVOCATION_COLUMNS} FROM skill_invocation WHERE seq >= ? AND seq < ?`,
      [first, end],
    )
    const stored = new Map(rows.map((row) => [String(row.id), invocationOfRow(row)]))
    const absent: string[] = []
    const differing = new Map<string, StoredInvocation>()
    for (const { id, record } of records) {
      const found = stored.get(id)
      if (found === undefined) absent.push(id)
      else if (!sameRecord(found, record)) differing.set(id, found)
    }
    return { absent, differing }
  }

  async positionsInRange(first: number, end: number) {
    const rows = await this.sql.rows<{ id: string; seq: number | string }>(
      'SELECT id, seq FROM skill_invocation WHERE seq >= ? AND seq < ?',
      [first, end],
    )
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
       SELECT id, skill_name, invoked_at, workflow_path, completed, duration_seconds, error_type, session_id,
         follow_up_actions::json, ${SCHEMA_VERSION_WRITTEN}, seq, completion_seq
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
      `UPDATE skill_invocation AS t SET skill_name = u.skill_name, invoked_at = u.invoked_at,
         workflow_path = u.workflow_path, completed = u.completed, duration_seconds = u.duration_seconds,
         error_type = u.error_type, follow_up_actions = u.follow_up_actions::json, seq = u.seq,
         completion_seq = u.completion_seq
       FROM ${UNNEST} WHERE t.id = u.id`,
      columnsOf(records),
    )
  }

  async saveCheckpoint(batch: BackfillBatch, at: string) {
    await this.sql.rows(
      `INSERT INTO backfill_batch (first_seq, record_count, digest, synced_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (first_seq) DO UPDATE SET record_count = excluded.record_count,
         digest = excluded.digest, synced_at = excluded.synced_at`,
      [batch.firstSeq, batch.span, batch.digest, at],
    )
  }
}
