import type { CompleteOptions, LegacyInvocation, SkillAggregate } from '@skill-metrics/core'

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
  /** The legacy file's completion sequence, so its order decides `last_invoked` and map order. */
  completionSeq?: number
}

/** One write dual-write copies from the legacy file: a start, a completion, or both. */
export interface MirroredWrite {
  id: string
  /** The pending record as it entered the file (with its id and position), for a start. */
  pending?: PendingInvocation
  /** The completion as the file applied it (with its completion sequence). */
  completion?: CompleteInvocation
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

/** One batch of the legacy file's records, by position, as the backfill hands it over. */
export interface BackfillBatch {
  /** Position in the file of the batch's first record. */
  firstSeq: number
  /** How many records of the file the batch spans, rejected ones included. */
  span: number
  /** Digest of the batch's records as the file holds them, ids included. */
  digest: string
  /** The records that passed validation; a rejected record gets no row. */
  records: StoredInvocation[]
}

export interface BatchSyncResult extends UpsertResult {
  /** The batch's checkpoint matched: nothing was read or written. */
  skipped: boolean
  /**
   * Stored rows that held one of the batch's positions without being that record there: a
   * writer that is not skill-metrics dropped or moved records in the file. They are kept with
   * no position; validation lists those the file no longer has as extra.
   */
  displaced: number
  /**
   * Stored completions of records the file holds as pending (a writer that loaded the file before
   * they completed saved over them): kept, at the file's position, for `data migrate` to put back.
   */
  behind: StoredInvocation[]
}

/** A record of the legacy file with the id it derives and its position in the file. */
export interface FileRecord {
  id: string
  index: number
  record: LegacyInvocation
}

export interface RangeDifferences {
  /** Not stored at those positions (perhaps elsewhere: look them up by id). */
  absent: string[]
  /** Stored there with other values. */
  differing: Map<string, StoredInvocation>
}
