import {
  type CompleteOptions,
  type Completer,
  completerOnce,
  type LegacyInvocation,
  type MetricsTracker,
  type SkillMetrics,
  type StartedRecord,
  type Summary,
  type TrackOptions,
} from '@skill-metrics/core'
import type { SkillMetricsStore } from '@skill-metrics/db-store'
import type { JsonFileTracker } from '@skill-metrics/json-tracker'
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
    const started = await this.start(skillName, options)
    return completerOnce(started.invocation, (completion) => this.finish(started, completion))
  }

  /** Starts an invocation in the legacy file, then mirrors it to the database. */
  async start(skillName: string, options: TrackOptions = {}): Promise<StartedRecord> {
    const { id, seq, invocation } = await this.#json.startInvocation(skillName, options)
    const sessionId = options.sessionId ?? null
    await this.#mirror(id, 'start', invocation, (store) =>
      store.recordInvocation({
        id,
        seq,
        skill_name: invocation.skill_name,
        invoked_at: invocation.invoked_at,
        workflow_path: invocation.workflow_path,
        session_id: sessionId,
      }),
    )
    return { id, seq, invocation, sessionId }
  }

  /**
   * Completes an invocation in the legacy file, then in the database with the file's duration and
   * completion order. One the database never saw started cannot complete there: that is a miss,
   * repaired by the next `data migrate` like any other.
   */
  async finish(started: StartedRecord, completion: CompleteOptions = {}): Promise<void> {
    const finished = await this.#json.completeStarted(started.invocation, started.seq, completion)
    await this.#mirror(started.id, 'complete', finished.invocation, (store) =>
      store.completeInvocation(started.id, {
        completed: finished.invocation.completed,
        followUpActions: finished.invocation.follow_up_actions,
        errorType: finished.invocation.error_type,
        durationSeconds: finished.invocation.duration_seconds ?? undefined,
        completionSeq: finished.completionSeq,
      }),
    )
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

  /** Runs one database write within the bound; true when it landed, false when a miss was recorded. */
  async #mirror(
    invocationId: string,
    operation: DualWriteMiss['operation'],
    record: LegacyInvocation,
    write: (store: SkillMetricsStore) => Promise<unknown>,
  ): Promise<boolean> {
    try {
      await this.withStore(write)
      return true
    } catch (error) {
      await this.#miss(invocationId, operation, (error as Error).message, record)
      return false
    }
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
