import type { MetricsTracker } from '@skill-metrics/core'
import { type DatabaseTarget, SkillMetricsStore } from '@skill-metrics/db-store'
import { JsonFileTracker } from '@skill-metrics/json-tracker'
import { DUAL_WRITE_TIMEOUT_MS, DualWriteTracker } from './dual-write-tracker.js'
import { readPhaseCopy } from './phase-copy.js'

export interface OpenTrackerOptions {
  jsonFile: string
  db: DatabaseTarget
  /** Bound on each database write in dual-write (default 2 s). */
  dualWriteTimeoutMs?: number
  lockTimeoutMs?: number
}

/**
 * The tracker the current phase calls for (ARCHITECTURE §5), read from the copy beside the legacy
 * file so a writer knows the phase while the database is down. `json-only`: the legacy file.
 * `dual-write`, `migrated` and (until dual-read lands) `dual-read`: the file, then the database.
 * `db-primary` and `cleaned`: the database only.
 */
export async function openTracker({
  jsonFile,
  db,
  dualWriteTimeoutMs = DUAL_WRITE_TIMEOUT_MS,
  lockTimeoutMs,
}: OpenTrackerOptions): Promise<MetricsTracker> {
  const phase = (await readPhaseCopy(jsonFile))?.phase ?? 'json-only'
  const json = new JsonFileTracker({ file: jsonFile, lockTimeoutMs })
  switch (phase) {
    case 'json-only':
      return json
    case 'dual-write':
    case 'migrated':
    case 'dual-read':
      return new DualWriteTracker(
        json,
        () => SkillMetricsStore.open({ target: db, busyTimeoutMs: dualWriteTimeoutMs }),
        dualWriteTimeoutMs,
      )
    case 'db-primary':
    case 'cleaned':
      return SkillMetricsStore.open({ target: db })
  }
}
