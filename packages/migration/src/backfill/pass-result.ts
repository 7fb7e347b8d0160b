// What a sync pass over the legacy file did, shared by the backfill and the sync of logged changes.
import type { CompletedDurations, SkillAggregate } from '@skill-metrics/core'
import type { StoredInvocation } from '@skill-metrics/db-store'
import type { FileFingerprint } from '@skill-metrics/json-tracker'
import type { ForeignRepair } from './foreign-repairs.js'

export interface RejectedRecord {
  index: number
  message: string
  field: string | undefined
}

export interface PassResult {
  read: number
  inserted: number
  updated: number
  batches: number
  skippedBatches: number
  displaced: number
  rejected: RejectedRecord[]
  skills: Map<string, SkillAggregate>
  /** Every completed duration in the file, for the percentile columns. */
  durations: CompletedDurations
  fingerprint: FileFingerprint | null
  /** What the pass under the lock put back into the file (see `restoreFromDatabase`). */
  restored: ForeignRepair[]
  /** Completions the database holds of records the file has as pending (see `jsonWins`). */
  behind: StoredInvocation[]
}
