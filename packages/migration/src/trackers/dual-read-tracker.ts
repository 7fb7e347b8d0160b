import {
  answerDiffs,
  type Completer,
  type FieldDiff,
  type MetricsTracker,
  plainValue,
  type SkillMetrics,
  type Summary,
  sameAnswer,
  type TrackOptions,
} from '@skill-metrics/core'
import type { JsonFileTracker } from '@skill-metrics/json-tracker'
import { type DualRead, type DualReadMismatch, recordMismatch } from './dual-read-mismatches.js'
import type { DualWriteMiss } from './dual-write-misses.js'
import { DUAL_WRITE_TIMEOUT_MS, DualWriteTracker, type StoreOpener } from './dual-write-tracker.js'

/**
 * The waits before each recheck of a difference. The dual-writer writes the file under the lock
 * and the database after releasing it, so a read that lands between the two sees a difference
 * that is only a write in flight: it settles within one database write, and only a difference
 * that outlives the rechecks (all within the dual-write bound) is a mismatch.
 */
const RECHECK_DELAYS_MS = [100, 200, 300]

/**
 * Phase 3's tracker, in the manner of GitHub's Scientist: every read runs on the legacy file (the
 * control, still the source of truth) and on the database (the candidate), compares the answers,
 * records a difference that persists or a database failure beside the legacy file, and always
 * returns the file's answer. Writes stay dual, through the dual-write tracker, whose store the
 * reads share.
 */
export class DualReadTracker implements MetricsTracker {
  readonly #json: JsonFileTracker
  readonly #writer: DualWriteTracker
  readonly #timeoutMs: number

  constructor(
    json: JsonFileTracker,
    openStore: StoreOpener,
    timeoutMs = DUAL_WRITE_TIMEOUT_MS,
    onMiss?: (miss: DualWriteMiss) => void,
  ) {
    this.#json = json
    this.#writer = new DualWriteTracker(json, openStore, timeoutMs, onMiss)
    this.#timeoutMs = timeoutMs
  }

  /** Where this phase's writes go: the dual-write tracker whose store the reads share. */
  get writes(): DualWriteTracker {
    return this.#writer
  }

  trackInvocation(skillName: string, options?: TrackOptions): Promise<Completer> {
    return this.#writer.trackInvocation(skillName, options)
  }

  getSkillMetrics(skillName: string): Promise<SkillMetrics | null> {
    return this.#compared(
      'getSkillMetrics',
      skillName,
      (tracker) => tracker.getSkillMetrics(skillName),
      (json, db) => skillDiffs(json, db, ''),
    )
  }

  getAllMetrics(): Promise<Map<string, SkillMetrics>> {
    return this.#compared('getAllMetrics', null, (tracker) => tracker.getAllMetrics(), metricsDiffs)
  }

  getSummary(): Promise<Summary> {
    return this.#compared('getSummary', null, (tracker) => tracker.getSummary(), answerDiffs)
  }

  generateReport(): Promise<string> {
    return this.#compared(
      'generateReport',
      null,
      (tracker) => tracker.generateReport(),
      (json, db) => (json === db ? [] : [{ field: 'report', json, db }]),
    )
  }

  /** An export is a copy of the source of truth, not an answer to compare. */
  exportMetrics(outputFile: string): Promise<void> {
    return this.#json.exportMetrics(outputFile)
  }

  close(): Promise<void> {
    return this.#writer.close()
  }

  async #compared<T>(
    read: DualRead,
    subject: string | null,
    answer: (tracker: MetricsTracker) => Promise<T>,
    diff: (json: T, db: T) => FieldDiff[],
  ): Promise<T> {
    const deadline = performance.now() + this.#timeoutMs
    for (let recheck = 0; ; recheck += 1) {
      const json = await answer(this.#json)
      let db: T
      try {
        db = await this.#writer.withStore(answer)
      } catch (error) {
        await this.#record({
          read,
          subject,
          kind: 'error',
          json: null,
          db: null,
          error: (error as Error).message,
        })
        return json
      }
      const diffs = diff(json, db)
      if (diffs.length === 0) return json
      const delay = RECHECK_DELAYS_MS[recheck]
      if (delay === undefined || performance.now() + delay > deadline) {
        await this.#record({
          read,
          subject,
          kind: 'mismatch',
          json: plainValue(json),
          db: plainValue(db),
          diffs,
        })
        return json
      }
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }

  async #record(entry: Omit<DualReadMismatch, 'at'>): Promise<void> {
    const mismatch = { at: new Date().toISOString(), ...entry }
    try {
      await recordMismatch(this.#json.file, mismatch)
    } catch (failure) {
      // The caller still gets the file's answer; only the record is lost. Say so where a user sees it.
      console.error(
        `skill-metrics: could not record a dual-read ${entry.kind} ${JSON.stringify(mismatch)}: ${(failure as Error).message}`,
      )
    }
  }
}

function skillDiffs(
  json: SkillMetrics | null,
  db: SkillMetrics | null,
  prefix: string,
): FieldDiff[] {
  if (json === null || db === null)
    return json === db
      ? []
      : [{ field: `${prefix}skill`, json: plainValue(json), db: plainValue(db) }]
  return answerDiffs(json, db, prefix)
}

function metricsDiffs(json: Map<string, SkillMetrics>, db: Map<string, SkillMetrics>): FieldDiff[] {
  const order = sameAnswer([...json.keys()], [...db.keys()])
    ? []
    : [{ field: 'skills', json: [...json.keys()], db: [...db.keys()] }]
  return [
    ...order,
    ...[...new Set([...json.keys(), ...db.keys()])].flatMap((name) =>
      skillDiffs(json.get(name) ?? null, db.get(name) ?? null, `${name}.`),
    ),
  ]
}
