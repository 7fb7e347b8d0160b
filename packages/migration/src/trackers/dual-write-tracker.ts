import {
  type AppliedEntry,
  type Completer,
  completionOptionsOf,
  finishedRecord,
  type JournalEntry,
  type LegacyInvocation,
  type MetricsTracker,
  newJournalEntry,
  type SkillMetrics,
  type Summary,
  type TrackOptions,
} from '@skill-metrics/core'
import type { MirroredWrite, SkillMetricsStore } from '@skill-metrics/db-store'
import {
  type AppliedBatch,
  type JsonFileTracker,
  journaledCompleter,
  pendingInvocation,
} from '@skill-metrics/json-tracker'
import { type DualWriteMiss, recordMiss } from './dual-write-misses.js'

/** Opens the database store; may fail (the database is down), and is tried again later. */
export type StoreOpener = () => Promise<SkillMetricsStore>

/** How long dual-write waits for the database before it gives up and records a miss. */
export const DUAL_WRITE_TIMEOUT_MS = 2_000

/**
 * Phase 1's tracker: the legacy file first (the source of truth, read from), then the database
 * with the same id, time, duration and outcome. A database that is down, locked or slow never
 * fails the caller: after a bounded wait the write is recorded as a miss beside the legacy file,
 * and the next `data migrate` repairs it.
 */
export class DualWriteTracker implements MetricsTracker {
  readonly #json: JsonFileTracker
  readonly #openStore: StoreOpener
  readonly #timeoutMs: number
  readonly #onMiss: ((miss: DualWriteMiss) => void) | undefined
  #store: Promise<SkillMetricsStore> | undefined

  /** `onMiss` hears of each database write missed, once it is recorded (`track` warns with it). */
  constructor(
    json: JsonFileTracker,
    openStore: StoreOpener,
    timeoutMs = DUAL_WRITE_TIMEOUT_MS,
    onMiss?: (miss: DualWriteMiss) => void,
  ) {
    this.#json = json
    this.#openStore = openStore
    this.#timeoutMs = timeoutMs
    this.#onMiss = onMiss
  }

  async trackInvocation(skillName: string, options: TrackOptions = {}): Promise<Completer> {
    const invocation = pendingInvocation(skillName, options, this.#json.clock)
    const { id, seq } = await this.commit(
      newJournalEntry({ kind: 'start', record: invocation, session_id: options.sessionId ?? null }),
    )
    const started = { id, seq, invocation, sessionId: options.sessionId ?? null }
    return journaledCompleter(started, this.#json.clock, (entry) => this.commit(entry))
  }

  /**
   * Applies the change to the legacy file (the source of truth), then, with the lock released,
   * copies to the database in one transaction every change this process applied as the lock
   * holder (its own and the journal's), with the file's id, position and completion sequence. A
   * database that fails or does not answer within the bound records one miss per change, repaired
   * by the next `data migrate`.
   */
  async commit(entry: JournalEntry): Promise<AppliedEntry> {
    const { applied, batch } = await this.#json.commit(entry)
    // Applied by another holder, which copies its batch after releasing the lock: this writer
    // still returns only once its change is in the database or recorded as missed, so that a
    // foreign save erasing it from the file meanwhile cannot lose it. Copying twice is harmless.
    await this.#copy(batch.length > 0 ? batch : [{ entry, applied }])
    return applied
  }

  /** Applies what waits in the journal to the file, then copies it to the database like a write. */
  async drain(): Promise<AppliedEntry[]> {
    const batch = await this.#json.drain()
    if (batch.length > 0) await this.#copy(batch)
    return batch.map(({ applied }) => applied)
  }

  /** Copies applied changes to the database in one transaction; a failure is one miss per change. */
  async #copy(batch: AppliedBatch): Promise<void> {
    try {
      await this.withStore((store) => store.mirrorWrites(batch.map(mirroredWriteOf)))
    } catch (error) {
      for (const { entry: change, applied: result } of batch) {
        const operation = change.kind === 'start' ? 'start' : 'complete'
        const record =
          change.kind === 'complete'
            ? finishedRecord(change.started, change.completion)
            : change.record
        await this.#miss(result.id, operation, (error as Error).message, record)
      }
    }
  }

  getSkillMetrics(skillName: string): Promise<SkillMetrics | null> {
    return this.#json.getSkillMetrics(skillName)
  }

  getAllMetrics(): Promise<Map<string, SkillMetrics>> {
    return this.#json.getAllMetrics()
  }

  getSummary(): Promise<Summary> {
    return this.#json.getSummary()
  }

  generateReport(): Promise<string> {
    return this.#json.generateReport()
  }

  exportMetrics(outputFile: string): Promise<void> {
    return this.#json.exportMetrics(outputFile)
  }

  async close(): Promise<void> {
    const store = await this.#store?.catch(() => undefined)
    await store?.close()
  }

  /**
   * Runs `work` on this tracker's store within the dual-write bound; rejects when the database
   * fails or does not answer in time. Dual-read reads through it, so one store serves both.
   */
  async withStore<T>(work: (store: SkillMetricsStore) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the database did not answer within ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      )
    })
    try {
      const store = await Promise.race([this.#opened(), timeout])
      return await Promise.race([work(store), timeout])
    } catch (error) {
      // A failed open is retried by the next call rather than remembered.
      if (
        this.#store !== undefined &&
        (await this.#store.then(
          () => false,
          () => true,
        ))
      )
        this.#store = undefined
      throw error
    } finally {
      clearTimeout(timer)
    }
  }

  /** The store, opened once; a failed open is forgotten so the next write tries again. */
  #opened(): Promise<SkillMetricsStore> {
    if (this.#store === undefined) {
      const opening = this.#openStore()
      this.#store = opening
      opening.catch(() => {
        if (this.#store === opening) this.#store = undefined
      })
    }
    return this.#store
  }

  async #miss(
    invocationId: string,
    operation: DualWriteMiss['operation'],
    error: string,
    record: LegacyInvocation,
  ): Promise<void> {
    const miss: DualWriteMiss = {
      at: new Date().toISOString(),
      invocation_id: invocationId,
      operation,
      error,
      record,
    }
    try {
      await recordMiss(this.#json.file, miss)
    } catch (failure) {
      // The legacy file has the write; only the record of the miss is lost. Say so where a user sees it.
      console.error(
        `skill-metrics: could not record a dual-write miss ${JSON.stringify(miss)}: ${(failure as Error).message}`,
      )
    }
    this.#onMiss?.(miss)
  }
}

/** The database writes that copy one applied journal entry. */
function mirroredWriteOf({ entry, applied }: AppliedBatch[number]): MirroredWrite {
  if (entry.kind === 'complete') {
    return {
      id: applied.id,
      // Its start may be copied by another holder after this batch (two holders copy in the order
      // their transactions commit): the row is made here then, the same either way.
      pending: {
        id: applied.id,
        seq: entry.seq,
        skill_name: entry.started.skill_name,
        invoked_at: entry.started.invoked_at,
        workflow_path: entry.started.workflow_path,
        session_id: entry.session_id,
      },
      completion: {
        ...completionOptionsOf(finishedRecord(entry.started, entry.completion)),
        completionSeq: applied.completion_seq ?? undefined,
      },
    }
  }
  const pending = {
    id: applied.id,
    seq: applied.seq,
    skill_name: entry.record.skill_name,
    invoked_at: entry.record.invoked_at,
    workflow_path: entry.record.workflow_path,
    session_id: entry.session_id,
  }
  if (entry.kind === 'start') return { id: applied.id, pending }
  return {
    id: applied.id,
    pending,
    completion: {
      ...completionOptionsOf(entry.record),
      completionSeq: applied.completion_seq ?? undefined,
    },
  }
}
