import { existsSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { PHASES, type Phase, RefusedError } from '@skill-metrics/core'
import type { DataSource } from 'typeorm'
import { openDataSource } from '../data-source.js'
import type { DatabaseTarget } from '../database-url.js'
import { tableExists } from '../schema/bookkeeping.js'
import { requireLatestSchema } from '../schema/schema-gate.js'
import { SqlSession } from '../schema/sql-session.js'
import { sqlBoolean } from '../store/dialect-sql.js'
import { lockStoreWrites } from './epoch-fence.js'

const TRANSITION_BUSY_TIMEOUT_MS = 2_000
/** Tries of a transition's BEGIN against a busy SQLite database: 2 s each, about 10 s in all. */
const TRANSITION_BEGIN_ATTEMPTS = 5

/** The authoritative phase: the `migration_state` row, or json-only at epoch 0 before any. */
export interface PhaseState {
  phase: Phase
  epoch: number
  changed_at: string | null
  cutover_at: string | null
}

/** One row of `migration_history`. */
export interface TransitionRecord {
  at: string
  actor: string
  reason: string | null
  from_phase: Phase
  to_phase: Phase
  epoch: number
  result: string
  forced: boolean
  detail: string | null
}

export interface ValidationRecord {
  at: string
  kind: string
  clean: boolean
  summary: string
}

/** Where the phase machine keeps its state: the V4 and V6 tables of the store's database. */
export class PhaseStore {
  private constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: DatabaseTarget['dialect'],
  ) {}

  /** Opens the database; the phase machine needs the schema at the latest version. */
  static async open(target: DatabaseTarget): Promise<PhaseStore> {
    await requireLatestSchema({ target, neededBy: 'the phase machine' })
    const dataSource = await openDataSource(target)
    if (target.dialect === 'sqlite') {
      // Transitions run under the writers' lock, and better-sqlite3 blocks the event loop while it
      // waits: keep that wait far below the lock's stale bound, so its heartbeat is never missed.
      await dataSource.query(`PRAGMA busy_timeout = ${TRANSITION_BUSY_TIMEOUT_MS}`)
    }
    return new PhaseStore(dataSource, target.dialect)
  }

  /**
   * The phase tables at whatever version the schema is, or null when there are none (below V4,
   * or no database file yet): a schema rollback reads there the phase it must not break, and
   * records a forced one, where `open` refuses a schema that is not the latest.
   */
  static async openAsItIs(
    target: DatabaseTarget,
    { readOnly = false }: { readOnly?: boolean } = {},
  ): Promise<PhaseStore | null> {
    if (target.dialect === 'sqlite' && !target.inMemory && !existsSync(target.path)) return null
    const dataSource = await openDataSource(target, { readOnly, poolSize: 1 })
    const sql = await SqlSession.open(dataSource, target.dialect)
    const present = await tableExists(sql, 'migration_state').finally(() => sql.release())
    if (present) return new PhaseStore(dataSource, target.dialect)
    await dataSource.destroy()
    return null
  }

  async close(): Promise<void> {
    await this.dataSource.destroy()
  }

  async state(): Promise<PhaseState> {
    const [row] = await this.#rows<{
      phase: string
      epoch: number | string
      changed_at: string
      cutover_at: string | null
    }>('SELECT phase, epoch, changed_at, cutover_at FROM migration_state WHERE id = 1')
    if (row === undefined)
      return { phase: 'json-only', epoch: 0, changed_at: null, cutover_at: null }
    if (!(PHASES as readonly string[]).includes(row.phase)) {
      throw new RefusedError(`migration_state holds an unknown phase ${JSON.stringify(row.phase)}`)
    }
    return {
      phase: row.phase as Phase,
      epoch: Number(row.epoch),
      changed_at: row.changed_at,
      cutover_at: row.cutover_at,
    }
  }

  async history(limit = 20): Promise<TransitionRecord[]> {
    const rows = await this.#rows<
      TransitionRecord & { forced: boolean | number; epoch: number | string }
    >(
      `SELECT at, actor, reason, from_phase, to_phase, epoch, result, forced, detail FROM migration_history
       ORDER BY id DESC LIMIT ?`,
      [limit],
    )
    return rows.map((row) => ({ ...row, forced: Boolean(row.forced), epoch: Number(row.epoch) }))
  }

  async lastValidation(): Promise<ValidationRecord | null> {
    return (await this.validations(1))[0] ?? null
  }

  /** The newest validation runs first. */
  async validations(limit: number): Promise<ValidationRecord[]> {
    const rows = await this.#rows<ValidationRecord & { clean: boolean | number }>(
      'SELECT at, kind, clean, summary FROM validation_run ORDER BY id DESC LIMIT ?',
      [limit],
    )
    return rows.map((row) => ({ ...row, clean: Boolean(row.clean) }))
  }

  async recordValidation(record: ValidationRecord): Promise<void> {
    await this.#transaction((sql) =>
      sql
        .rows('INSERT INTO validation_run (at, kind, clean, summary) VALUES (?, ?, ?, ?)', [
          record.at,
          record.kind,
          sqlBoolean(this.dialect, record.clean),
          record.summary,
        ])
        .then(() => undefined),
    )
  }

  /** The legacy file (absolute path) this database serves: null before the first transition. */
  async servedLegacyFile(): Promise<string | null> {
    const [row] = await this.#rows<{ path: string }>('SELECT path FROM legacy_source WHERE id = 1')
    return row?.path ?? null
  }

  /**
   * Moves the phase and records the transition, in one transaction, with the legacy file it was
   * made for: the file this database serves from then on.
   */
  async commitTransition(
    record: TransitionRecord,
    cutoverAt: string | null,
    legacyFile: string,
  ): Promise<void> {
    await this.#transaction(async (sql) => {
      await sql.rows(
        `INSERT INTO migration_state (id, phase, epoch, changed_at, cutover_at) VALUES (1, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET phase = excluded.phase, epoch = excluded.epoch,
           changed_at = excluded.changed_at, cutover_at = excluded.cutover_at`,
        [record.to_phase, record.epoch, record.at, cutoverAt],
      )
      await this.#recordLegacyFile(sql, legacyFile, record.at)
      await this.#insertHistory(sql, record)
    })
  }

  /** Records a refused or failed attempt; the phase stays as it was. */
  async recordAttempt(record: TransitionRecord): Promise<void> {
    await this.#transaction((sql) => this.#insertHistory(sql, record))
  }

  /** The legacy file moved: this database serves it at `legacyFile` now; `record` says who and why. */
  async recordLegacyFileMove(record: TransitionRecord, legacyFile: string): Promise<void> {
    await this.#transaction(async (sql) => {
      await this.#recordLegacyFile(sql, legacyFile, record.at)
      await this.#insertHistory(sql, record)
    })
  }

  async #recordLegacyFile(sql: SqlSession, path: string, at: string): Promise<void> {
    await sql.rows(
      `INSERT INTO legacy_source (id, path, recorded_at) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET path = excluded.path, recorded_at = excluded.recorded_at
       WHERE legacy_source.path <> excluded.path`,
      [path, at],
    )
  }

  async #insertHistory(sql: SqlSession, record: TransitionRecord): Promise<void> {
    await sql.rows(
      `INSERT INTO migration_history (at, actor, reason, from_phase, to_phase, epoch, result, forced, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        record.at,
        record.actor,
        record.reason,
        record.from_phase,
        record.to_phase,
        record.epoch,
        record.result,
        sqlBoolean(this.dialect, record.forced),
        record.detail,
      ],
    )
  }

  async #rows<T>(query: string, parameters: unknown[] = []): Promise<T[]> {
    const sql = await SqlSession.open(this.dataSource, this.dialect)
    try {
      return await sql.rows<T>(query, parameters)
    } finally {
      await sql.release()
    }
  }

  /**
   * SQLite's busy handler does not queue: writers that keep the database busy can starve a
   * transition's BEGIN IMMEDIATE past its busy timeout (seen once: two smoke writers in
   * db-primary, and `rollback` exited 1 on "database is locked"). Nothing was done yet, so it is
   * tried again, the event loop free between tries (the writers' lock's refresh runs then).
   */
  async #begin(sql: SqlSession): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await sql.begin()
        return
      } catch (error) {
        const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } }
        const busy = (code ?? driverError?.code) === 'SQLITE_BUSY'
        if (!busy || attempt >= TRANSITION_BEGIN_ATTEMPTS) throw error
        await sleep(10 * attempt)
      }
    }
  }

  async #transaction(work: (sql: SqlSession) => Promise<void>): Promise<void> {
    const sql = await SqlSession.open(this.dataSource, this.dialect)
    try {
      await this.#begin(sql)
      try {
        // A store write checks the epoch inside its transaction under this lock: a phase change
        // lands before or after it, never between its check and its commit.
        if (this.dialect === 'postgres') await lockStoreWrites(sql)
        await work(sql)
        await sql.commit()
      } catch (error) {
        await sql.rollbackQuietly()
        throw error
      }
    } finally {
      await sql.release()
    }
  }
}
