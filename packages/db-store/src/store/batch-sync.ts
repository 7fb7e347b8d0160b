import { sameInvocation } from '@skill-metrics/core'
import type {
  BackfillBatch,
  BatchSyncResult,
  FileRecord,
  RangeDifferences,
  StoredInvocation,
  UpsertResult,
} from './store-types.js'

export interface Checkpoint {
  record_count: number
  digest: string
}

/** What the bulk paths (backfill, import, validation) ask of a database, inside one transaction. */
export interface BatchOperations {
  checkpoint(firstSeq: number): Promise<Checkpoint | undefined>
  existing(ids: string[]): Promise<Map<string, StoredInvocation>>
  /** Which of the file's records at positions first ≤ seq < end the database holds otherwise. */
  differencesInRange(first: number, end: number, records: FileRecord[]): Promise<RangeDifferences>
  /** The (id, seq) of every row stored at positions first ≤ seq < end. */
  positionsInRange(first: number, end: number): Promise<Array<[string, number]>>
  /** Takes these rows out of the file's order (seq NULL), keeping them. */
  unposition(ids: string[]): Promise<void>
  /** Inserts the records whose id is new; returns the others, untouched. */
  insertNew(records: StoredInvocation[]): Promise<StoredInvocation[]>
  update(records: StoredInvocation[]): Promise<void>
  saveCheckpoint(batch: BackfillBatch, at: string): Promise<void>
}

export interface Classified {
  inserts: StoredInvocation[]
  updates: StoredInvocation[]
  /** Stored completions the given records lack (pending there): see `jsonWins`. */
  behind: StoredInvocation[]
}

/** What a stored record becomes given the incoming one; null leaves it as it is. */
export type UpdateRule = (
  stored: StoredInvocation,
  record: StoredInvocation,
) => StoredInvocation | null

const completed = (invocation: StoredInvocation) => invocation.duration_seconds !== null

/** Live writes only move forward: a pending record gets its completion. */
export const movesForward: UpdateRule = (stored, record) =>
  !completed(stored) && completed(record) ? record : null

/**
 * While the legacy file is the source of truth, any value or position that differs — but never a
 * completion taken back: no writer un-completes an invocation, so a file record pending where the
 * database holds its completion was saved over by a writer that loaded it before it completed.
 * The completion stays (only the position follows the file); `data migrate` puts it back into
 * the file.
 */
export const jsonWins: UpdateRule = (stored, record) => {
  if (completed(stored) && !completed(record))
    return stored.seq === record.seq ? null : { ...stored, seq: record.seq }
  return !sameInvocation(stored, record) || stored.seq !== record.seq ? record : null
}

/**
 * Which records are new and which must change under `rule`, keeping the completion sequence the
 * store already knows.
 */
export function classify(
  records: StoredInvocation[],
  existing: Map<string, StoredInvocation>,
  rule: UpdateRule,
): Classified {
  const inserts: StoredInvocation[] = []
  const updates: StoredInvocation[] = []
  const behind: StoredInvocation[] = []
  for (const record of records) {
    const stored = existing.get(record.id)
    if (stored === undefined) {
      inserts.push(record)
      continue
    }
    if (completed(stored) && !completed(record)) behind.push({ ...stored, seq: record.seq })
    const next = rule(stored, record)
    if (next !== null)
      updates.push({ ...next, completion_seq: next.completion_seq ?? stored.completion_seq })
  }
  return { inserts, updates, behind }
}

/**
 * Inserts what is new and moves what exists by `rule`, in the caller's transaction; a dry run
 * only counts.
 */
export async function upsertWith(
  operations: BatchOperations,
  records: StoredInvocation[],
  rule: UpdateRule,
  dryRun: boolean,
): Promise<UpsertResult & { behind: StoredInvocation[] }> {
  // Inserting first and reading back only the records already there spares the first run,
  // which inserts nearly everything, a lookup per record.
  const known = dryRun ? records : await operations.insertNew(records)
  const existing = await operations.existing(known.map((record) => record.id))
  const { inserts, updates, behind } = classify(known, existing, rule)
  if (!dryRun) await operations.update(updates)
  const inserted = records.length - known.length + inserts.length
  return {
    inserted,
    updated: updates.length,
    unchanged: records.length - inserted - updates.length,
    behind,
  }
}

/**
 * Makes the database equal to one batch of the legacy file (JSON wins), unless the batch's
 * checkpoint says it already is. The checkpoint is written with the records, so a run killed
 * anywhere either left the whole batch and its checkpoint or neither: a rerun redoes at most the
 * batch that was in flight.
 */
export async function syncBatchWith(
  operations: BatchOperations,
  batch: BackfillBatch,
  { dryRun, at }: { dryRun: boolean; at: string },
): Promise<BatchSyncResult> {
  const checkpoint = await operations.checkpoint(batch.firstSeq)
  if (checkpoint?.digest === batch.digest && checkpoint.record_count === batch.span) {
    return {
      skipped: true,
      inserted: 0,
      updated: 0,
      unchanged: batch.records.length,
      displaced: 0,
      behind: [],
    }
  }
  // Positions are the file's too (JSON wins): a row in the way of the file's order steps aside
  // first, so the unique seq index never refuses a record the file has.
  const filePositions = new Map(batch.records.map((record) => [record.id, record.seq]))
  const inTheWay = (
    await operations.positionsInRange(batch.firstSeq, batch.firstSeq + batch.span)
  ).filter(([id, seq]) => filePositions.get(id) !== seq)
  if (!dryRun && inTheWay.length > 0) await operations.unposition(inTheWay.map(([id]) => id))
  const written = await upsertWith(operations, batch.records, jsonWins, dryRun)
  if (!dryRun) await operations.saveCheckpoint(batch, at)
  return {
    ...written,
    skipped: false,
    displaced: inTheWay.filter(([id]) => !filePositions.has(id)).length,
  }
}

/** The distinct sessions the records name: each needs its row before an invocation points at it. */
export const sessionsOf = (records: StoredInvocation[]) => [
  ...new Set(records.flatMap((record) => (record.session_id === null ? [] : [record.session_id]))),
]
