import {
  type AppliedEntry,
  type Clock,
  type Completer,
  completerOnce,
  completerRan,
  completionOptionsOf,
  exportPieces,
  type JournalEntry,
  type LegacyDocument,
  type LegacyInvocation,
  type MetricsTracker,
  renderReport,
  type SkillAggregate,
  type SkillMetrics,
  type StartedRecord,
  type Summary,
  summarize,
  systemClock,
  type TrackOptions,
  toNaiveLocalIso,
} from '@skill-metrics/core'
import { writeFileDurably } from '@skill-metrics/durable-file'
import type { DatabaseTarget } from '../database-url.js'
import { requireLatestSchema } from '../schema/schema-gate.js'
import { movesForward, syncBatchWith, upsertWith } from './batch-sync.js'
import { applyJournalEntry, completeStored, insertPending } from './live-writes.js'
import { refreshPercentiles, savePercentiles } from './percentile-upkeep.js'
import { saveSkill } from './skill-aggregates.js'
import { StoreConnection } from './store-connection.js'
import {
  abandonedErrorsOf,
  invocationCountOf,
  invocationsOutside,
  invocationsPerDayOf,
  legacyDocumentOf,
  metricsOf,
  skillAggregatesOf,
  storedInvocationIds,
  storedInvocations,
} from './store-reads.js'
import type {
  BackfillBatch,
  BatchSyncResult,
  CompleteInvocation,
  FileRecord,
  MirroredWrite,
  PendingInvocation,
  RangeDifferences,
  SkillBaseline,
  StoredInvocation,
  UpsertResult,
} from './store-types.js'
import { refreshSummary } from './summary-refresh.js'

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

/**
 * The database store: the same tracker interface as the JSON tracker over the original design's
 * tables. It owns every aggregate (no triggers): a completion moves its invocation forward once
 * and changes the skill's aggregates in the same transaction. SQLite writes take the write lock
 * up front (BEGIN IMMEDIATE) and wait on the busy timeout; PostgreSQL writes serialise on a
 * transaction advisory lock, so no read-modify-write of an aggregate can race another.
 */
export class SkillMetricsStore implements MetricsTracker {
  readonly #db: StoreConnection
  readonly #clock: Clock
  /** The mode of files this store writes (exports): the legacy file's, given by the target. */
  readonly #fileMode: number | undefined

  private constructor(db: StoreConnection, clock: Clock, fileMode: number | undefined) {
    this.#db = db
    this.#clock = clock
    this.#fileMode = fileMode
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
    await requireLatestSchema({
      target,
      migrationsDir,
      migrate,
      neededBy: 'this version of skill-metrics',
    })
    const db = await StoreConnection.open(target, { busyTimeoutMs, epoch })
    return new SkillMetricsStore(db, clock, target.fileMode)
  }

  async close(): Promise<void> {
    await this.#db.close()
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
    const { id, seq } = await this.#db.write((sql) =>
      insertPending(sql, { ...invocation, session_id: sessionId }),
    )
    return { id, seq, invocation, sessionId }
  }

  /**
   * Writes a new invocation as pending and returns its id: uuid v5 of its identity and its
   * occurrence among the stored records with the same skill, time and path (ARCHITECTURE §4).
   */
  async recordInvocation(invocation: PendingInvocation): Promise<string> {
    return (await this.#db.write((sql) => insertPending(sql, invocation))).id
  }

  /**
   * Completes (or abandons) a stored invocation: forward only and exactly once. A second call for
   * the same id, a retry after a crash between commit and return included, changes nothing.
   */
  async completeInvocation(id: string, completion: CompleteInvocation = {}): Promise<void> {
    await this.#db.write(async (sql) => {
      await completeStored(sql, id, completion, this.#clock)
    })
  }

  async getSkillMetrics(skillName: string): Promise<SkillMetrics | null> {
    return (await metricsOf(this.#db, skillName)).get(skillName) ?? null
  }

  /** The error types of each skill's abandoned runs, counted (`report --html`). */
  async abandonedErrors(): Promise<Map<string, Map<string, number>>> {
    return abandonedErrorsOf(this.#db)
  }

  /** Completed and abandoned invocations per day of `invoked_at`, oldest first (`report --html`). */
  async invocationsPerDay(): Promise<Array<{ day: string; completed: number; abandoned: number }>> {
    return invocationsPerDayOf(this.#db)
  }

  async getAllMetrics(): Promise<Map<string, SkillMetrics>> {
    return metricsOf(this.#db)
  }

  async getSummary(): Promise<Summary> {
    return summarize(await this.skillAggregates())
  }

  async generateReport(): Promise<string> {
    return renderReport(await this.skillAggregates())
  }

  /** Every stored invocation in file order, in pages: memory stays flat for any count. */
  invocations(pageSize = 5_000): AsyncGenerator<StoredInvocation> {
    return storedInvocations(this.#db, pageSize)
  }

  /** The id of every stored invocation, those without a position in the file included. */
  invocationIds(pageSize = 10_000): AsyncGenerator<string> {
    return storedInvocationIds(this.#db, pageSize)
  }

  /** The skills' aggregates in the legacy file's map order. */
  async skillAggregates(): Promise<Map<string, SkillAggregate>> {
    return skillAggregatesOf(this.#db)
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
    return legacyDocumentOf(this.#db)
  }

  /**
   * Upserts invocations by id, each only moving forward (pending → completed or abandoned), as
   * live writes do. Aggregates are not touched: `setSkillAggregates` sets them from the same
   * snapshot.
   */
  async upsertInvocations(records: StoredInvocation[]): Promise<UpsertResult> {
    if (records.length === 0) return { inserted: 0, updated: 0, unchanged: 0 }
    const { behind: _behind, ...result } = await this.#db.batchTransaction(false, (operations) =>
      upsertWith(operations, records, movesForward, false),
    )
    return result
  }

  /**
   * The stored invocations the legacy file has no place for: without a position (a sync found
   * the file no longer held them there) or past its last record (`fileLength`). Completed ones
   * first, in completion order, then pending ones, oldest first.
   */
  async invocationsOutsideFile(fileLength: number): Promise<StoredInvocation[]> {
    return invocationsOutside(this.#db, fileLength)
  }

  /**
   * Gives a stored invocation the id its record derives in the legacy file: a record put back
   * into the file after others with the same skill, time and path counts another occurrence.
   */
  async renameInvocation(from: string, to: string): Promise<void> {
    await this.#db.write((sql) =>
      sql.rows('UPDATE skill_invocation SET id = ? WHERE id = ?', [to, from]),
    )
  }

  /**
   * Adds records another writer put into the legacy file after cutover, as live writes would
   * have: each gets the next position, a completed one moves its skill's aggregates (a skill
   * the database lacks is added at the end). One transaction: all of them or none.
   */
  async importInvocations(records: Array<LegacyInvocation & { id: string }>): Promise<void> {
    if (records.length === 0) return
    await this.#db.write(async (sql) => {
      for (const record of records) {
        const { id } = await insertPending(sql, { ...record, session_id: null })
        if (completerRan(record))
          await completeStored(sql, id, completionOptionsOf(record), this.#clock)
      }
    })
  }

  /**
   * Copies what the legacy file's writers applied (a group commit's batch) in one transaction,
   * with the file's ids, positions and completion sequences: dual-write's mirror.
   */
  async mirrorWrites(writes: MirroredWrite[]): Promise<void> {
    await this.#db.write(async (sql) => {
      for (const write of writes) {
        if (write.pending !== undefined) await insertPending(sql, write.pending)
        if (write.completion !== undefined) {
          await completeStored(sql, write.id, write.completion, this.#clock)
        }
      }
    })
  }

  /**
   * Applies group-commit journal entries with the database as the truth (db-primary, cleaned), in
   * one transaction and each exactly once (ARCHITECTURE §5).
   */
  async applyJournal(entries: JournalEntry[]): Promise<AppliedEntry[]> {
    return this.#db.write(async (sql) => {
      const applied: AppliedEntry[] = []
      for (const entry of entries) applied.push(await applyJournalEntry(sql, entry, this.#clock))
      return applied
    })
  }

  /** The stored invocations with these ids (a set lookup per batch, never a query per record). */
  async invocationsById(ids: string[]): Promise<Map<string, StoredInvocation>> {
    return this.#db.read((operations) => operations.existing(ids))
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
    return this.#db.read((operations) => operations.differencesInRange(first, end, records))
  }

  async invocationCount(): Promise<number> {
    return invocationCountOf(this.#db)
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
    this.#db.relaxSyncForBackfill()
    return this.#db.batchTransaction(dryRun, (operations) =>
      syncBatchWith(operations, batch, { dryRun, at }),
    )
  }

  /** Forgets every batch checkpoint, so the next `syncBatch` of each batch compares its records. */
  async clearBackfillCheckpoints(): Promise<void> {
    await this.#db.write((sql) => sql.rows('DELETE FROM backfill_batch'))
  }

  /**
   * Sets skills' aggregates to exactly the given values (the legacy file's, history whose records
   * were pruned included) and refreshes their percentile columns. Replaying it changes nothing.
   */
  async setSkillAggregates(baselines: SkillBaseline[]): Promise<void> {
    await this.#db.write(async (sql) => {
      for (const { name, position, aggregate, lastCompletionSeq = null } of baselines) {
        await saveSkill(sql, name, aggregate, position, lastCompletionSeq)
      }
      for (const { name, completedDurations } of baselines) {
        if (completedDurations !== undefined) {
          await savePercentiles(sql, name, completedDurations)
        }
      }
      await refreshPercentiles(
        this.#db,
        sql,
        baselines
          .filter((baseline) => baseline.completedDurations === undefined)
          .map((baseline) => baseline.name),
      )
    })
  }

  /** Records the current summary in `skill_metrics_summary` (the original's materialised view). */
  async refreshSummary(): Promise<Summary> {
    return refreshSummary(this.#db, this.#clock)
  }
}
