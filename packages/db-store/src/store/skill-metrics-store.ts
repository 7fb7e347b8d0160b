import {
  applyCompletion,
  averageDuration,
  BugError,
  type Clock,
  type CompleteOptions,
  type Completer,
  completerOnce,
  completionRate,
  exportPieces,
  InvocationIdAssigner,
  invocationId,
  type LegacyDocument,
  type LegacyInvocation,
  type MetricsTracker,
  naiveSecondsBetween,
  parseCounter,
  percentiles,
  RefusedError,
  renderReport,
  type SkillAggregate,
  type SkillMetrics,
  StaleEpochError,
  type StartedRecord,
  type Summary,
  stringifyCounter,
  summarize,
  systemClock,
  type TrackOptions,
  toNaiveLocalIso,
  toSkillMetrics,
} from '@skill-metrics/core'
import { writeFileDurably } from '@skill-metrics/durable-file'
import type { Database } from 'better-sqlite3'
import type { DataSource } from 'typeorm'
import { createDataSource } from '../data-source.js'
import type { DatabaseTarget } from '../database-url.js'
import { SchemaRunner } from '../schema/schema-runner.js'
import { SqlSession } from '../schema/sql-session.js'
import {
  type BackfillBatch,
  type BatchOperations,
  type BatchSyncResult,
  type FileRecord,
  INVOCATION_COLUMNS,
  invocationOfRow,
  movesForward,
  POSTGRES_INVOCATION_COLUMNS,
  PostgresBatchOperations,
  type RangeDifferences,
  SCHEMA_VERSION_WRITTEN,
  SqliteBatchOperations,
  syncBatchWith,
  upsertWith,
} from './batch-sync.js'
import { type SkillMetricsRow, STORE_ENTITIES } from './entities.js'

export interface StoreOptions {
  target: DatabaseTarget
  /** SQLite: how long a write waits on a locked database (default 10 s). */
  busyTimeoutMs?: number
  clock?: Clock
  /** Apply pending schema versions instead of refusing to open. */
  migrate?: boolean
  migrationsDir?: string
  /**
   * The phase epoch this store writes for: each write checks inside its transaction that
   * `migration_state` still holds it and throws `StaleEpochError` otherwise, so no write lands
   * in the database after a rollback made the legacy file the source of truth again.
   */
  epoch?: number
}

/** An invocation as the store keeps it: the legacy record plus identity and order. */
export interface StoredInvocation extends LegacyInvocation {
  id: string
  /**
   * Position in the legacy file's list; null for a stored record that the file no longer holds
   * where it was (a writer that is not skill-metrics dropped or moved records).
   */
  seq: number | null
  /** The completion sequence its completion carried; null while pending or unknown. */
  completion_seq: number | null
  session_id: string | null
}

/** A new invocation to write as pending; id and position are computed when not given. */
export type PendingInvocation = Pick<
  StoredInvocation,
  'skill_name' | 'invoked_at' | 'workflow_path' | 'session_id'
> & { id?: string; seq?: number }

export interface CompleteInvocation extends CompleteOptions {
  /** The duration the legacy file recorded; computed from the clock when absent. */
  durationSeconds?: number
  /** The legacy file's completion sequence, so its order decides `last_invoked` and map order. */
  completionSeq?: number
}

export interface UpsertResult {
  inserted: number
  updated: number
  unchanged: number
}

/** A skill's aggregates as the legacy file has them, with its place in the file's skills map. */
export interface SkillBaseline {
  name: string
  position: number
  aggregate: SkillAggregate
  lastCompletionSeq?: number | null
  /**
   * The skill's completed durations when the caller already has them all (a backfill's pass
   * over the file); without them the percentile columns are computed from the stored records.
   */
  completedDurations?: number[]
}

type Dialect = DatabaseTarget['dialect']

/**
 * The database store: the same tracker interface as the JSON tracker over the original design's
 * tables. It owns every aggregate (no triggers): a completion moves its invocation forward once
 * and changes the skill's aggregates in the same transaction. SQLite writes take the write lock
 * up front (BEGIN IMMEDIATE) and wait on the busy timeout; PostgreSQL writes serialise on a
 * transaction advisory lock, so no read-modify-write of an aggregate can race another.
 */
export class SkillMetricsStore implements MetricsTracker {
  readonly #dataSource: DataSource
  readonly #dialect: Dialect
  readonly #clock: Clock
  /** better-sqlite3 has one connection per process: its transactions must not interleave. */
  #sqliteQueue: Promise<unknown> = Promise.resolve()
  #sqliteBatches: SqliteBatchOperations | undefined
  #backfillSync = false
  readonly #epoch: number | undefined
  /** The mode of files this store writes (exports): the legacy file's, given by the target. */
  readonly #fileMode: number | undefined

  private constructor(
    dataSource: DataSource,
    dialect: Dialect,
    clock: Clock,
    epoch: number | undefined,
    fileMode: number | undefined,
  ) {
    this.#fileMode = fileMode
    this.#dataSource = dataSource
    this.#dialect = dialect
    this.#clock = clock
    this.#epoch = epoch
  }

  /** Opens the store; refuses (exit 4) while schema versions are pending, unless `migrate`. */
  static async open({
    target,
    clock = systemClock,
    migrate = false,
    migrationsDir,
    busyTimeoutMs,
    epoch,
  }: StoreOptions) {
    // Only a store that may migrate opens the schema for writing: a look must not create the file.
    const runner = await SchemaRunner.open({ target, migrationsDir, readOnly: !migrate })
    try {
      if (migrate) await runner.migrate()
      const status = await runner.status()
      if (status.current < status.latest) {
        throw new RefusedError(
          `the database schema is at V${status.current}; this version of skill-metrics needs V${status.latest}`,
          { nextStep: 'Run: skill-metrics schema migrate' },
        )
      }
      if (status.current > status.latest) {
        throw new RefusedError(
          `the database schema (V${status.current}) is newer than this version of skill-metrics knows (V${status.latest})`,
          { nextStep: 'Upgrade skill-metrics.' },
        )
      }
    } finally {
      await runner.close()
    }
    const dataSource = await createDataSource(target, {
      entities: STORE_ENTITIES,
      busyTimeoutMs,
    }).initialize()
    return new SkillMetricsStore(dataSource, target.dialect, clock, epoch, target.fileMode)
  }

  async close(): Promise<void> {
    await this.#dataSource.destroy()
  }

  async trackInvocation(skillName: string, options: TrackOptions = {}): Promise<Completer> {
    const { id, invocation } = await this.startInvocation(skillName, options)
    // Completing is idempotent by id: a retry after any failure cannot count twice.
    return completerOnce(invocation, (completion) => this.completeInvocation(id, completion))
  }

  /** Starts an invocation as pending and tells what another tracker needs to finish it. */
  async startInvocation(skillName: string, options: TrackOptions = {}): Promise<StartedRecord> {
    const invocation: LegacyInvocation = {
      skill_name: skillName,
      invoked_at: options.invokedAt ?? toNaiveLocalIso(this.#clock.now()),
      workflow_path: options.workflowPath ?? null,
      completed: false,
      duration_seconds: null,
      follow_up_actions: [],
      error_type: null,
    }
    const sessionId = options.sessionId ?? null
    const { id, seq } = await this.#insertPending({ ...invocation, session_id: sessionId })
    return { id, seq, invocation, sessionId }
  }

  /**
   * Writes a new invocation as pending and returns its id: uuid v5 of its identity and its
   * occurrence among the stored records with the same skill, time and path (ARCHITECTURE §4).
   */
  async recordInvocation(invocation: PendingInvocation): Promise<string> {
    return (await this.#insertPending(invocation)).id
  }

  async #insertPending(invocation: PendingInvocation): Promise<{ id: string; seq: number }> {
    return this.#write(async (sql) => {
      let id = invocation.id
      if (id === undefined) {
        const [same] = await sql.rows<{ n: number | string }>(
          `SELECT COUNT(*) AS n FROM skill_invocation WHERE skill_name = ? AND invoked_at = ? AND workflow_path ${this.#isSame()}`,
          [invocation.skill_name, invocation.invoked_at, invocation.workflow_path],
        )
        id = invocationId(
          invocation.skill_name,
          invocation.invoked_at,
          invocation.workflow_path,
          Number(same!.n),
        )
      }
      const seq = invocation.seq ?? (await this.#nextSeq(sql))
      if (invocation.session_id !== null) await this.#ensureSession(sql, invocation.session_id)
      await sql.rows(
        `INSERT INTO skill_invocation (id, skill_name, invoked_at, workflow_path, completed, duration_seconds,
           error_type, session_id, follow_up_actions, schema_version, seq, completion_seq)
         VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, '[]', ?, ?, NULL)
         ON CONFLICT (id) DO NOTHING`,
        [
          id,
          invocation.skill_name,
          invocation.invoked_at,
          invocation.workflow_path,
          this.#bool(false),
          invocation.session_id,
          SCHEMA_VERSION_WRITTEN,
          seq,
        ],
      )
      return { id, seq }
    })
  }

  /**
   * Completes (or abandons) a stored invocation: forward only and exactly once. A second call for
   * the same id, a retry after a crash between commit and return included, changes nothing.
   */
  async completeInvocation(
    id: string,
    {
      completed = true,
      followUpActions = [],
      errorType = null,
      durationSeconds,
      completionSeq: carried,
    }: CompleteInvocation = {},
  ): Promise<void> {
    await this.#write(async (sql) => {
      const [row] = await sql.rows<{
        skill_name: string
        invoked_at: string
        workflow_path: string | null
        session_id: string | null
        duration_seconds: number | null
      }>(
        'SELECT skill_name, invoked_at, workflow_path, session_id, duration_seconds FROM skill_invocation WHERE id = ?',
        [id],
      )
      if (row === undefined) throw new BugError(`no stored invocation has the id ${id}`)
      if (row.duration_seconds !== null) return
      const finished: LegacyInvocation = {
        skill_name: row.skill_name,
        invoked_at: row.invoked_at,
        workflow_path: row.workflow_path,
        completed,
        duration_seconds:
          durationSeconds ??
          naiveSecondsBetween(row.invoked_at, toNaiveLocalIso(this.#clock.now())),
        follow_up_actions: [...followUpActions],
        error_type: errorType,
      }
      const completionSeq = carried ?? (await this.#nextCompletionSeq(sql))
      await sql.rows(
        `UPDATE skill_invocation SET completed = ?, duration_seconds = ?, follow_up_actions = ?, error_type = ?,
           completion_seq = ? WHERE id = ? AND duration_seconds IS NULL`,
        [
          this.#bool(completed),
          finished.duration_seconds,
          JSON.stringify(finished.follow_up_actions),
          errorType,
          completionSeq,
          id,
        ],
      )
      await this.#applyToSkill(sql, finished, completionSeq)
      if (row.session_id !== null) await this.#applyToSession(sql, row.session_id, finished)
    })
  }

  async getSkillMetrics(skillName: string): Promise<SkillMetrics | null> {
    return (await this.#metrics(skillName)).get(skillName) ?? null
  }

  async getAllMetrics(): Promise<Map<string, SkillMetrics>> {
    return this.#metrics()
  }

  async getSummary(): Promise<Summary> {
    return summarize(await this.skillAggregates())
  }

  async generateReport(): Promise<string> {
    return renderReport(await this.skillAggregates())
  }

  /** Every stored invocation in file order, in pages: memory stays flat for any count. */
  async *invocations(pageSize = 5_000): AsyncGenerator<StoredInvocation> {
    let after = -1
    for (;;) {
      const rows = await this.#session((sql) =>
        sql.rows<Record<string, unknown>>(
          `SELECT ${this.#invocationColumns()} FROM skill_invocation WHERE seq > ? ORDER BY seq LIMIT ?`,
          [after, pageSize],
        ),
      )
      for (const row of rows) yield invocationOfRow(row)
      if (rows.length < pageSize) return
      after = Number(rows.at(-1)!.seq)
    }
  }

  /** The id of every stored invocation, those without a position in the file included. */
  async *invocationIds(pageSize = 10_000): AsyncGenerator<string> {
    let after = ''
    for (;;) {
      const rows = await this.#session((sql) =>
        sql.rows<{ id: string }>(
          'SELECT id FROM skill_invocation WHERE id > ? ORDER BY id LIMIT ?',
          [after, pageSize],
        ),
      )
      for (const row of rows) yield row.id
      if (rows.length < pageSize) return
      after = rows.at(-1)!.id
    }
  }

  /** The skills' aggregates in the legacy file's map order. */
  async skillAggregates(): Promise<Map<string, SkillAggregate>> {
    const rows = await this.#session((sql) =>
      sql.rows<SkillMetricsRow>(
        `SELECT skill_name, total_invocations, completed_invocations, abandoned_invocations, total_duration_seconds,
           ${this.#text('workflow_paths')}, ${this.#text('common_errors')}, ${this.#text('follow_up_actions')},
           first_invoked, last_invoked, position
         FROM skill_metrics ORDER BY position, skill_name`,
      ),
    )
    return new Map(rows.map((row) => [row.skill_name, aggregateOf(row)]))
  }

  /** The legacy export layout (summary, skills, invocations, exported_at) from the database. */
  async exportMetrics(outputFile: string): Promise<void> {
    await writeFileDurably(
      outputFile,
      exportPieces(await this.legacyDocument(), toNaiveLocalIso(this.#clock.now())),
      { mode: this.#fileMode },
    )
  }

  /**
   * What the database holds as a legacy document: every invocation in the file's order, then
   * those without a position (records the file had dropped), oldest first; every skill in the
   * map's order. A rollback regenerates the legacy file from it.
   */
  async legacyDocument(): Promise<LegacyDocument> {
    const invocations: LegacyInvocation[] = []
    for await (const invocation of this.invocations()) invocations.push(legacyRecordOf(invocation))
    const unpositioned = await this.#session((sql) =>
      sql.rows<Record<string, unknown>>(
        `SELECT ${this.#invocationColumns()} FROM skill_invocation WHERE seq IS NULL ORDER BY invoked_at, id`,
      ),
    )
    for (const row of unpositioned) invocations.push(legacyRecordOf(invocationOfRow(row)))
    return { invocations, skills: await this.skillAggregates(), last_updated: null, extra: [] }
  }

  /**
   * Upserts invocations by id, each only moving forward (pending → completed or abandoned), as
   * live writes do. Aggregates are not touched: `setSkillAggregates` sets them from the same
   * snapshot.
   */
  async upsertInvocations(records: StoredInvocation[]): Promise<UpsertResult> {
    if (records.length === 0) return { inserted: 0, updated: 0, unchanged: 0 }
    return this.#batchTransaction(false, (operations) =>
      upsertWith(operations, records, movesForward, false),
    )
  }

  /** The stored invocations with these ids (a set lookup per batch, never a query per record). */
  async invocationsById(ids: string[]): Promise<Map<string, StoredInvocation>> {
    if (this.#dialect === 'postgres') {
      return this.#session((sql) => new PostgresBatchOperations(sql).existing(ids))
    }
    return this.#serialised(() => this.#sqliteOperations().existing(ids))
  }

  /**
   * Which of the file's records at positions first ≤ seq < end the database holds otherwise:
   * how validation reads a batch, one range scan instead of a lookup per id.
   */
  async differencesInRange(
    first: number,
    end: number,
    records: FileRecord[],
  ): Promise<RangeDifferences> {
    if (this.#dialect === 'postgres') {
      return this.#session((sql) =>
        new PostgresBatchOperations(sql).differencesInRange(first, end, records),
      )
    }
    return this.#serialised(() => this.#sqliteOperations().differencesInRange(first, end, records))
  }

  async invocationCount(): Promise<number> {
    const [row] = await this.#session((sql) =>
      sql.rows<{ n: number | string }>('SELECT COUNT(*) AS n FROM skill_invocation'),
    )
    return Number(row!.n)
  }

  /**
   * Makes the database equal to one batch of the legacy file (JSON wins) in one transaction with
   * the batch's checkpoint, or skips it when its checkpoint matches: what `data migrate` runs.
   */
  async syncBatch(
    batch: BackfillBatch,
    { dryRun = false }: { dryRun?: boolean } = {},
  ): Promise<BatchSyncResult> {
    const at = toNaiveLocalIso(this.#clock.now())
    this.#relaxSyncForBackfill()
    return this.#batchTransaction(dryRun, (operations) =>
      syncBatchWith(operations, batch, { dryRun, at }),
    )
  }

  /**
   * One transaction around bulk operations: on SQLite over prepared statements on the connection
   * TypeORM holds (a dry run reads and rolls back), on PostgreSQL on a pooled session.
   */
  async #batchTransaction<T>(
    dryRun: boolean,
    work: (operations: BatchOperations) => Promise<T>,
  ): Promise<T> {
    if (this.#dialect === 'postgres') {
      return this.#write((sql) => work(new PostgresBatchOperations(sql)))
    }
    return this.#serialised(async () => {
      const operations = this.#sqliteOperations()
      const database = this.#sqliteConnection()
      database.exec(dryRun ? 'BEGIN' : 'BEGIN IMMEDIATE')
      try {
        const result = await work(operations)
        database.exec(dryRun ? 'ROLLBACK' : 'COMMIT')
        return result
      } catch (error) {
        if (database.inTransaction) database.exec('ROLLBACK')
        throw error
      }
    })
  }

  /** Forgets every batch checkpoint, so the next `syncBatch` of each batch compares its records. */
  async clearBackfillCheckpoints(): Promise<void> {
    await this.#write((sql) => sql.rows('DELETE FROM backfill_batch'))
  }

  /**
   * Sets skills' aggregates to exactly the given values (the legacy file's, history whose records
   * were pruned included) and refreshes their percentile columns. Replaying it changes nothing.
   */
  async setSkillAggregates(baselines: SkillBaseline[]): Promise<void> {
    await this.#write(async (sql) => {
      for (const { name, position, aggregate, lastCompletionSeq = null } of baselines) {
        await this.#saveSkill(sql, name, aggregate, position, lastCompletionSeq)
      }
      for (const { name, completedDurations } of baselines) {
        if (completedDurations !== undefined) {
          await this.#savePercentiles(sql, name, completedDurations)
        }
      }
      await this.#refreshPercentiles(
        sql,
        baselines
          .filter((baseline) => baseline.completedDurations === undefined)
          .map((baseline) => baseline.name),
      )
    })
  }

  /** Records the current summary in `skill_metrics_summary` (the original's materialised view). */
  async refreshSummary(): Promise<Summary> {
    const skills = await this.skillAggregates()
    const summary = summarize(skills)
    const errors = new Map<string, number>()
    const paths = new Map<string, number>()
    for (const aggregate of skills.values()) {
      for (const [key, count] of aggregate.common_errors)
        errors.set(key, (errors.get(key) ?? 0) + count)
      for (const [key, count] of aggregate.workflow_paths)
        paths.set(key, (paths.get(key) ?? 0) + count)
    }
    await this.#write(async (sql) => {
      await this.#refreshPercentiles(sql, [...skills.keys()])
      await sql.rows(
        `INSERT INTO skill_metrics_summary (refresh_time, total_skills, total_invocations, overall_completion_rate,
           most_used_skill, most_used_count, avg_duration_seconds, top_error_types, top_workflow_paths)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          new Date(this.#clock.now().getTime()).toISOString(),
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

  async #metrics(only?: string): Promise<Map<string, SkillMetrics>> {
    const skills = await this.skillAggregates()
    const durations = await this.#completedDurations(only)
    const metrics = new Map<string, SkillMetrics>()
    for (const [name, aggregate] of skills) {
      if (only === undefined || only === name)
        metrics.set(name, toSkillMetrics(aggregate, durations.get(name) ?? []))
    }
    return metrics
  }

  /** Completed durations per skill, ascending: percentiles are computed exactly when read. */
  async #completedDurations(only?: string): Promise<Map<string, number[]>> {
    const rows = await this.#session((sql) =>
      sql.rows<{ skill_name: string; duration_seconds: number }>(
        `SELECT skill_name, duration_seconds FROM skill_invocation
         WHERE completed = ? AND duration_seconds IS NOT NULL ${only === undefined ? '' : 'AND skill_name = ?'}
         ORDER BY skill_name, duration_seconds`,
        only === undefined ? [this.#bool(true)] : [this.#bool(true), only],
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

  async #applyToSkill(sql: SqlSession, finished: LegacyInvocation, completionSeq: number) {
    const [row] = await sql.rows<SkillMetricsRow>(
      `SELECT skill_name, total_invocations, completed_invocations, abandoned_invocations, total_duration_seconds,
         ${this.#text('workflow_paths')}, ${this.#text('common_errors')}, ${this.#text('follow_up_actions')},
         first_invoked, last_invoked, position FROM skill_metrics WHERE skill_name = ?`,
      [finished.skill_name],
    )
    const skills = new Map<string, SkillAggregate>()
    if (row !== undefined) skills.set(row.skill_name, aggregateOf(row))
    const aggregate = applyCompletion(skills, finished)
    const position = row?.position ?? (await this.#nextPosition(sql))
    await this.#saveSkill(sql, finished.skill_name, aggregate, Number(position), completionSeq)
  }

  async #applyToSession(sql: SqlSession, sessionId: string, finished: LegacyInvocation) {
    await sql.rows(
      `INSERT INTO session_skill (id, session_id, skill_name, invocation_count, first_invoked_at, last_invoked_at,
         total_duration_seconds)
       VALUES (?, ?, ?, 1, ?, ?, ?)
       ON CONFLICT (session_id, skill_name) DO UPDATE SET invocation_count = session_skill.invocation_count + 1,
         last_invoked_at = excluded.last_invoked_at,
         total_duration_seconds = session_skill.total_duration_seconds + excluded.total_duration_seconds`,
      [
        invocationId(sessionId, finished.skill_name, 'session_skill', 0),
        sessionId,
        finished.skill_name,
        finished.invoked_at,
        finished.invoked_at,
        finished.completed && finished.duration_seconds ? finished.duration_seconds : 0,
      ],
    )
  }

  async #saveSkill(
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

  async #refreshPercentiles(sql: SqlSession, names: string[]): Promise<void> {
    const durationsOf =
      'SELECT duration_seconds FROM skill_invocation WHERE skill_name = ? AND completed = ? AND duration_seconds IS NOT NULL'
    for (const name of names) {
      // On SQLite a plucked column straight from the connection (inside this transaction): a
      // row object per duration through TypeORM cost 2.5 s for a million completions.
      const durations =
        this.#dialect === 'sqlite'
          ? (this.#sqliteConnection().prepare(durationsOf).pluck().all(name, 1) as number[])
          : (await sql.rows<{ duration_seconds: number }>(durationsOf, [name, true])).map((row) =>
              Number(row.duration_seconds),
            )
      await this.#savePercentiles(sql, name, durations)
    }
  }

  async #savePercentiles(sql: SqlSession, name: string, durations: number[]): Promise<void> {
    const { p50, p95, p99 } = percentiles(durations)
    await sql.rows(
      'UPDATE skill_metrics SET p50_duration_seconds = ?, p95_duration_seconds = ?, p99_duration_seconds = ? WHERE skill_name = ?',
      [p50, p95, p99, name],
    )
  }

  async #nextSeq(sql: SqlSession): Promise<number> {
    const [row] = await sql.rows<{ next: number | string }>(
      'SELECT COALESCE(MAX(seq), -1) + 1 AS next FROM skill_invocation',
    )
    return Number(row!.next)
  }

  async #nextPosition(sql: SqlSession): Promise<number> {
    const [row] = await sql.rows<{ next: number | string }>(
      'SELECT COALESCE(MAX(position), -1) + 1 AS next FROM skill_metrics',
    )
    return Number(row!.next)
  }

  /** The file's natural completion sequence: the sum of all skill totals after this completion. */
  async #nextCompletionSeq(sql: SqlSession): Promise<number> {
    const [row] = await sql.rows<{ next: number | string }>(
      'SELECT COALESCE(SUM(total_invocations), 0) + 1 AS next FROM skill_metrics',
    )
    return Number(row!.next)
  }

  async #ensureSession(sql: SqlSession, id: string): Promise<void> {
    await sql.rows('INSERT INTO sessions (id) VALUES (?) ON CONFLICT (id) DO NOTHING', [id])
  }

  /** The columns `invocationOfRow` reads, JSON read back as text. */
  #invocationColumns(): string {
    return this.#dialect === 'postgres' ? POSTGRES_INVOCATION_COLUMNS : INVOCATION_COLUMNS
  }

  /** JSON columns read back as their text, so key order survives (pg would parse them). */
  #text(column: string): string {
    return this.#dialect === 'postgres' ? `${column}::text AS ${column}` : column
  }

  #isSame(): string {
    return this.#dialect === 'postgres' ? 'IS NOT DISTINCT FROM ?' : 'IS ?'
  }

  #bool(value: boolean): boolean | number {
    return this.#dialect === 'sqlite' ? Number(value) : value
  }

  /** The better-sqlite3 connection TypeORM holds: prepared statements for the bulk paths. */
  #sqliteConnection(): Database {
    return (this.#dataSource.driver as unknown as { databaseConnection: Database })
      .databaseConnection
  }

  #sqliteOperations(): SqliteBatchOperations {
    this.#sqliteBatches ??= new SqliteBatchOperations(this.#sqliteConnection())
    return this.#sqliteBatches
  }

  /**
   * A batch of random uuid keys dirties a page per record, and WAL's defaults sync and copy those
   * pages back every 1,000 pages: measured 14 ms per commit of 1,000 records here, more than the
   * inserts. NORMAL keeps every commit atomic and survives a killed process; only a power cut can
   * lose the last commits, and a batch lost that way takes its checkpoint with it, so the next
   * run redoes it. A 64 MiB log between copies writes a hot page back once instead of once per
   * commit. Only a connection that runs the backfill relaxes this; live writes keep FULL.
   */
  #relaxSyncForBackfill(): void {
    if (this.#dialect !== 'sqlite' || this.#backfillSync) return
    const database = this.#sqliteConnection()
    database.pragma('synchronous = NORMAL')
    database.pragma('wal_autocheckpoint = 16384')
    this.#backfillSync = true
  }

  async #session<T>(work: (sql: SqlSession) => Promise<T>): Promise<T> {
    const run = async () => {
      const sql = await SqlSession.open(this.#dataSource, this.#dialect)
      try {
        return await work(sql)
      } finally {
        await sql.release()
      }
    }
    return this.#dialect === 'sqlite' ? this.#serialised(run) : run()
  }

  /** One write transaction. */
  async #write<T>(work: (sql: SqlSession) => Promise<T>): Promise<T> {
    return this.#session(async (sql) => {
      await sql.begin()
      try {
        if (this.#dialect === 'postgres') await lockStoreWrites(sql)
        if (this.#epoch !== undefined) await this.#checkEpoch(sql, this.#epoch)
        const result = await work(sql)
        await sql.commit()
        return result
      } catch (error) {
        await sql.rollbackQuietly()
        throw error
      }
    })
  }

  async #checkEpoch(sql: SqlSession, epoch: number): Promise<void> {
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

  async #serialised<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#sqliteQueue.then(run, run)
    this.#sqliteQueue = next.catch(() => {})
    return next
  }
}

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

/**
 * Imports a whole legacy document through the bulk operations: ids from the file's order,
 * positions from it, aggregates exactly the file's. Replaying it changes nothing.
 */
export async function importLegacyDocument(
  store: SkillMetricsStore,
  document: Pick<LegacyDocument, 'invocations' | 'skills'>,
): Promise<UpsertResult> {
  const ids = new InvocationIdAssigner()
  const result = await store.upsertInvocations(
    document.invocations.map((invocation, seq) =>
      storedRecordOf(invocation, ids.next(invocation), seq),
    ),
  )
  await store.setSkillAggregates(
    [...document.skills].map(([name, aggregate], position) => ({ name, position, aggregate })),
  )
  return result
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
