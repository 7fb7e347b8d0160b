import {
  type Completer,
  type MetricsTracker,
  type Phase,
  type SkillMetrics,
  StaleEpochError,
  type Summary,
  type TrackOptions,
} from '@skill-metrics/core'
import { type DatabaseTarget, SkillMetricsStore } from '@skill-metrics/db-store'
import { JsonFileTracker } from '@skill-metrics/json-tracker'
import { DualReadTracker } from './dual-read-tracker.js'
import { DUAL_WRITE_TIMEOUT_MS, DualWriteTracker } from './dual-write-tracker.js'
import { readPhaseCopy } from './phase-copy.js'

export interface OpenTrackerOptions {
  jsonFile: string
  db: DatabaseTarget
  /** Bound on each database write in dual-write (default 2 s). */
  dualWriteTimeoutMs?: number
  lockTimeoutMs?: number
}

/** How many times a start is retried after the phase moved under it. */
const REOPEN_ATTEMPTS = 3

/**
 * The tracker the current phase calls for (ARCHITECTURE §5), read from the copy beside the legacy
 * file so a writer knows the phase while the database is down: `json-only`, the legacy file;
 * `dual-write` and `migrated`, the file then the database; `dual-read`, the same writes, with
 * every read compared between the two (the file's answer returned);
 * `db-primary` and `cleaned`, the database only. It follows the phase: a start checks the epoch
 * under the writers' lock, and when a transition moved it on, the right tracker is opened and the
 * start is made there. An invocation completes on the tracker it started with.
 */
export async function openTracker(options: OpenTrackerOptions): Promise<MetricsTracker> {
  const tracker = new PhaseFollowingTracker(options)
  await tracker.reopen()
  return tracker
}

class PhaseFollowingTracker implements MetricsTracker {
  readonly #options: OpenTrackerOptions
  #current: MetricsTracker | undefined
  /** Trackers of earlier phases: their invocations may still be completing. */
  readonly #retired: MetricsTracker[] = []

  constructor(options: OpenTrackerOptions) {
    this.#options = options
  }

  async reopen(): Promise<void> {
    const copy = await readPhaseCopy(this.#options.jsonFile)
    if (this.#current !== undefined) this.#retired.push(this.#current)
    this.#current = await trackerFor(copy?.phase ?? 'json-only', copy?.epoch ?? 0, this.#options)
  }

  async trackInvocation(skillName: string, options?: TrackOptions): Promise<Completer> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await (await this.#tracker()).trackInvocation(skillName, options)
      } catch (error) {
        if (!(error instanceof StaleEpochError) || attempt >= REOPEN_ATTEMPTS) throw error
        await this.reopen()
      }
    }
  }

  async getSkillMetrics(skillName: string): Promise<SkillMetrics | null> {
    return (await this.#tracker()).getSkillMetrics(skillName)
  }

  async getAllMetrics(): Promise<Map<string, SkillMetrics>> {
    return (await this.#tracker()).getAllMetrics()
  }

  async getSummary(): Promise<Summary> {
    return (await this.#tracker()).getSummary()
  }

  async generateReport(): Promise<string> {
    return (await this.#tracker()).generateReport()
  }

  async exportMetrics(outputFile: string): Promise<void> {
    return (await this.#tracker()).exportMetrics(outputFile)
  }

  async close(): Promise<void> {
    for (const tracker of [...this.#retired, this.#current]) await tracker?.close()
  }

  async #tracker(): Promise<MetricsTracker> {
    if (this.#current === undefined) await this.reopen()
    return this.#current!
  }
}

async function trackerFor(
  phase: Phase,
  epoch: number,
  options: OpenTrackerOptions,
): Promise<MetricsTracker> {
  const dualWriteTimeoutMs = options.dualWriteTimeoutMs ?? DUAL_WRITE_TIMEOUT_MS
  const openStore = () =>
    SkillMetricsStore.open({ target: options.db, busyTimeoutMs: dualWriteTimeoutMs })
  const json = new JsonFileTracker({
    file: options.jsonFile,
    lockTimeoutMs: options.lockTimeoutMs,
    beforeStart: async () => {
      const copy = await readPhaseCopy(options.jsonFile)
      if ((copy?.epoch ?? 0) !== epoch || copy?.transitioning === true) {
        throw new StaleEpochError(
          `the phase moved from ${phase} (epoch ${epoch}) to ${copy?.phase ?? 'json-only'} (epoch ${copy?.epoch ?? 0})`,
        )
      }
    },
  })
  switch (phase) {
    case 'json-only':
      return json
    case 'dual-write':
    case 'migrated':
      return new DualWriteTracker(json, openStore, dualWriteTimeoutMs)
    case 'dual-read':
      return new DualReadTracker(json, openStore, dualWriteTimeoutMs)
    case 'db-primary':
    case 'cleaned':
      return SkillMetricsStore.open({ target: options.db })
  }
}
