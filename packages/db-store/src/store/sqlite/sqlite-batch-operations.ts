import { INVOCATION_FIELDS, sameInvocation } from '@skill-metrics/core'
import type { Database, Statement } from 'better-sqlite3'
import {
  CHECKPOINT_OF_BATCH,
  ENSURE_SESSION,
  POSITIONS_IN_RANGE,
  SAVE_CHECKPOINT,
} from '../batch-statements.js'
import { type BatchOperations, type Checkpoint, sessionsOf } from '../batch-sync.js'
import {
  INSERT_COLUMN_NAMES,
  INSERT_COLUMNS,
  invocationColumns,
  invocationOfRow,
  SCHEMA_VERSION_WRITTEN,
  UPDATED_COLUMN_NAMES,
} from '../invocation-rows.js'
import type { BackfillBatch, FileRecord, StoredInvocation } from '../store-types.js'

const COLUMNS = invocationColumns('sqlite')

/** A record's named parameters for SQLite: booleans as 0/1, the follow-ups as JSON text. */
const sqliteRowOf = (record: StoredInvocation) => ({
  ...record,
  completed: Number(record.completed),
  follow_up_actions: JSON.stringify(record.follow_up_actions),
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
    this.#checkpoint = database.prepare(CHECKPOINT_OF_BATCH)
    this.#existing = database.prepare(`SELECT ${COLUMNS} FROM skill_invocation WHERE id = ?`)
    this.#positioned = database
      .prepare(
        `SELECT seq, id, ${INVOCATION_FIELDS.join(', ')} FROM skill_invocation WHERE seq >= ? AND seq < ?`,
      )
      .raw(true)
    this.#positions = database.prepare(POSITIONS_IN_RANGE).raw(true)
    this.#unposition = database.prepare('UPDATE skill_invocation SET seq = NULL WHERE id = ?')
    this.#insert = database.prepare(
      `INSERT INTO skill_invocation (${INSERT_COLUMNS})
       VALUES (${INSERT_COLUMN_NAMES.map((column) => (column === 'schema_version' ? SCHEMA_VERSION_WRITTEN : `@${column}`)).join(', ')})
       ON CONFLICT (id) DO NOTHING`,
    )
    this.#ensureSession = database.prepare(ENSURE_SESSION)
    this.#update = database.prepare(
      `UPDATE skill_invocation SET ${UPDATED_COLUMN_NAMES.map((column) => `${column} = @${column}`).join(', ')}
       WHERE id = @id`,
    )
    this.#saveCheckpoint = database.prepare(SAVE_CHECKPOINT)
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
   * Compares the columns as they come, in arrays, each row found by its position: a row object,
   * a stored record and a map entry per record cost validation half its time and most of its
   * garbage. Only a row that looks different is read whole and compared properly (JSON text may
   * be spaced otherwise); a record not at its position is left to the lookup by id.
   */
  async differencesInRange(first: number, end: number, records: FileRecord[]) {
    const atPosition = new Array<unknown[] | undefined>(end - first)
    for (const row of this.#positioned.all(first, end) as unknown[][])
      atPosition[(row[0] as number) - first] = row
    const absent: string[] = []
    const differing = new Map<string, StoredInvocation>()
    for (const { id, index, record } of records) {
      const row = atPosition[index - first]
      if (row === undefined || row[1] !== id) absent.push(id)
      else if (
        row[2] !== record.skill_name ||
        row[3] !== record.invoked_at ||
        row[4] !== record.workflow_path ||
        row[5] !== (record.completed ? 1 : 0) ||
        row[6] !== record.duration_seconds ||
        row[7] !== JSON.stringify(record.follow_up_actions) ||
        row[8] !== record.error_type
      ) {
        const stored = invocationOfRow(this.#existing.get(id) as Record<string, unknown>)
        if (!sameInvocation(stored, record)) differing.set(id, stored)
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
