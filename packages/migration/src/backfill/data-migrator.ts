import { createHash } from 'node:crypto'
import { stat, truncate } from 'node:fs/promises'
import {
  BadInputError,
  CompletedDurations,
  InvocationIdAssigner,
  type LegacyInvocation,
  type Phase,
  RefusedError,
} from '@skill-metrics/core'
import {
  type BackfillBatch,
  type DatabaseTarget,
  PhaseStore,
  SkillMetricsStore,
  storedRecordOf,
} from '@skill-metrics/db-store'
import { fingerprintFile } from '@skill-metrics/durable-file'
import {
  readingThroughTornSaves,
  sameFingerprint,
  scanLegacyFile,
  withWritersLock,
} from '@skill-metrics/json-tracker'
import { DB_TRUTH_PHASES } from '../phases/phase-copy.js'
import { requireReasonToForce, requireServedLegacyFile } from '../phases/transition.js'
import { missLogPathOf, readMisses } from '../trackers/dual-write-misses.js'
import { applyJournal } from '../trackers/open-tracker.js'
import { syncLoggedChanges } from './changes-since.js'
import {
  type ForeignRepair,
  importForeignAdditions,
  recoverMissedWrites,
  restoreFromDatabase,
} from './foreign-repairs.js'
import type { PassResult, RejectedRecord } from './pass-result.js'

export type { PassResult, RejectedRecord }

export interface MigrateProgress {
  pass: 'bulk' | 'final'
  read: number
  bytesRead: number
  totalBytes: number
}

export interface MigrateOptions {
  jsonFile: string
  target: DatabaseTarget
  /** Hold the writers' lock for the whole run: the database equals the file when it ends. */
  final?: boolean
  batchSize?: number
  dryRun?: boolean
  lockTimeoutMs?: number
  onProgress?: (progress: MigrateProgress) => void
  /** Stops the run between chunks of the file (a cutover's bounded freeze). */
  signal?: AbortSignal
  /**
   * Goes on though the database serves another legacy file (this one moved there): the move is
   * recorded in the phase history with `reason`.
   */
  force?: boolean
  reason?: string
}

export interface MigrateResult {
  read: number
  inserted: number
  updated: number
  unchanged: number
  rejected: RejectedRecord[]
  skillsAligned: number
  /** Batches of the last pass, and how many of them their checkpoint showed already in sync. */
  batches: number
  skippedBatches: number
  /**
   * Stored records that were in the way of the file's order (a writer that is not skill-metrics
   * dropped or moved records in the file): kept without a position; validation lists those the
   * file no longer has as extra.
   */
  displaced: number
  /**
   * Invocations the database held that the file lacked (a foreign save erased them), put back
   * into the file; on a dry run, those that would be.
   */
  restored: ForeignRepair[]
  /**
   * In db-primary and cleaned: invocations another writer added to the file after cutover,
   * imported into the database; on a dry run, those that would be.
   */
  imported: ForeignRepair[]
  dryRun: boolean
  seconds: number
}

export const DEFAULT_BATCH_SIZE = 20_000

/**
 * Phase 2, the backfill: streams the legacy file, gives each record its id, and makes the
 * database equal to the file (JSON wins) in batches. A bulk pass runs while dual-writers go on;
 * then, under the writers' lock, a second pass syncs what changed meanwhile (only what our writers'
 * log lists, when it links the bulk pass's bytes to the file's: `syncLoggedChanges`) and sets every
 * skill's aggregates from that same snapshot, so a dual-write that lands later either finds its record
 * already complete (and changes nothing) or is new (and counts once). Each batch commits with
 * its checkpoint, so a rerun skips the batches still in sync and writes only what differs: a run
 * killed at any point is finished by the next one, which redoes at most the batch in flight.
 */
export async function migrateData(options: MigrateOptions): Promise<MigrateResult> {
  requireReasonToForce(options)
  const started = performance.now()
  const phases = await PhaseStore.open(options.target)
  let phase: Phase
  let epoch: number
  try {
    await requireServedLegacyFile(phases, options)
    ;({ phase, epoch } = await phases.state())
  } finally {
    await phases.close()
  }
  if (phase === 'json-only') {
    throw new RefusedError(
      'phase is json-only; data migrate runs once there is a database to migrate to',
      { nextStep: 'Start dual-write first: skill-metrics phase dual-write' },
    )
  }
  // What waits in the group-commit journal (writers that gave up on the lock, the Python client
  // when the CLI did not answer in time) enters the stores first, so it is migrated with the rest.
  if (options.dryRun !== true) {
    await applyJournal({
      jsonFile: options.jsonFile,
      db: options.target,
      lockTimeoutMs: options.lockTimeoutMs,
    })
  }
  if (DB_TRUTH_PHASES.includes(phase)) return importAfterCutover(options, epoch, started)
  const store = await SkillMetricsStore.open({ target: options.target })
  try {
    const bulk = options.final ? undefined : await syncPass(store, options, 'bulk')
    const final = (assertHeld?: () => void) =>
      finishSync(store, options, bulk, { assertHeld, followWritersLog: true })
    const last = options.dryRun
      ? await final()
      : await withWritersLock(options.jsonFile, (lock) => final(lock.assertHeld), {
          timeoutMs: options.lockTimeoutMs,
        })
    return resultOf(options, started, bulk, last)
  } finally {
    await store.close()
  }
}

/**
 * `data migrate` once the database is the truth: nothing in it changes to match the file; what
 * another writer added to the file since cutover is imported, fenced by the phase's epoch.
 */
async function importAfterCutover(
  options: MigrateOptions,
  epoch: number,
  started: number,
): Promise<MigrateResult> {
  const store = await SkillMetricsStore.open({ target: options.target, epoch })
  try {
    const run = (assertHeld?: () => void) =>
      importForeignAdditions(store, { jsonFile: options.jsonFile, now: new Date(), assertHeld })
    const found = options.dryRun
      ? await run()
      : await withWritersLock(options.jsonFile, (lock) => run(lock.assertHeld), {
          timeoutMs: options.lockTimeoutMs,
        })
    return {
      read: found.read,
      inserted: found.imported.length,
      updated: 0,
      unchanged: found.read - found.imported.length - found.rejected.length,
      rejected: found.rejected,
      skillsAligned: 0,
      batches: 0,
      skippedBatches: 0,
      displaced: 0,
      restored: [],
      imported: found.imported,
      dryRun: options.dryRun === true,
      seconds: (performance.now() - started) / 1000,
    }
  } finally {
    await store.close()
  }
}

export interface DataMigrationRun {
  result: MigrateResult
  /** The run failed: records the legacy schema rejects stay in the file and keep the next phase closed. */
  failure: BadInputError | null
}

/** `data migrate`: the backfill, and whether the records it rejected fail the run. */
export async function runDataMigration(options: MigrateOptions): Promise<DataMigrationRun> {
  const result = await migrateData(options)
  if (result.rejected.length === 0) return { result, failure: null }
  const failure = new BadInputError(
    { file: options.jsonFile },
    `rejected ${result.rejected.length} of ${result.read} records; they stay in the file and the next phase stays closed:\n${result.rejected.map((record) => `  ${record.message}`).join('\n')}`,
    { nextStep: 'Fix the records in the file and run skill-metrics data migrate again.' },
  )
  return { result, failure }
}

/** What a backfill did, from its bulk pass (when it ran one) and its pass under the lock. */
export function resultOf(
  options: Pick<MigrateOptions, 'dryRun'>,
  started: number,
  bulk: PassResult | undefined,
  last: PassResult,
): MigrateResult {
  const inserted = (bulk?.inserted ?? 0) + last.inserted
  const updated = (bulk?.updated ?? 0) + last.updated
  return {
    read: last.read,
    inserted,
    updated,
    // A record written by the bulk pass and again by the final one counts once as changed.
    unchanged: Math.max(0, last.read - inserted - updated - last.rejected.length),
    rejected: last.rejected,
    skillsAligned: last.skills.size,
    batches: last.batches,
    skippedBatches: last.skippedBatches,
    displaced: (bulk?.displaced ?? 0) + last.displaced,
    restored: last.restored,
    imported: [],
    dryRun: options.dryRun === true,
    seconds: (performance.now() - started) / 1000,
  }
}

/**
 * The part of a backfill that runs under the writers' lock: syncs what changed since the bulk
 * pass and sets every skill's aggregates from that same snapshot. Every dual-write miss recorded
 * so far is then covered, and the log of them is emptied. With `restore` (`data migrate`, not
 * cutover's freeze, which only reports a difference), what a foreign save erased from the file
 * is put back into it first, and synced; its `assertHeld` proves the lock (a dry run has none and
 * only lists what it would put back).
 */
export async function finishSync(
  store: SkillMetricsStore,
  options: MigrateOptions,
  bulk: PassResult | undefined,
  restore?: { assertHeld?: () => void; followWritersLog?: boolean },
): Promise<PassResult> {
  // Nothing wrote the file since the bulk pass read it (every write changes it): the bulk
  // pass already made the database equal to what it holds now.
  const unchanged =
    bulk?.fingerprint != null &&
    sameFingerprint(bulk.fingerprint, await fingerprintFile(options.jsonFile))
  const logged =
    unchanged || bulk === undefined || options.dryRun || !restore?.followWritersLog
      ? null
      : await syncLoggedChanges(store, options, bulk)
  let result = unchanged
    ? { ...bulk!, inserted: 0, updated: 0, displaced: 0 }
    : (logged ?? (await syncPass(store, options, 'final')))
  // Before the log of misses is emptied: a missed record the file lost too survives only there.
  // Cutover's freeze does not restore; its comparison then finds the record and stops.
  if (!options.dryRun) await recoverMissedWrites(store, await readMisses(options.jsonFile))
  const restored =
    restore === undefined
      ? []
      : await restoreFromDatabase(store, result.read, result.behind, {
          jsonFile: options.jsonFile,
          now: new Date(),
          assertHeld: options.dryRun ? undefined : restore.assertHeld,
        })
  if (restored.length > 0 && !options.dryRun) {
    const before = result
    const again = await syncPass(store, options, 'final')
    result = {
      ...again,
      inserted: before.inserted + again.inserted,
      updated: before.updated + again.updated,
      displaced: before.displaced + again.displaced,
    }
  }
  result.restored = restored
  if (!options.dryRun) {
    // The sync of logged changes set every skill already: the snapshot's, then the changed ones.
    if (result !== logged) {
      await store.setSkillAggregates(
        [...result.skills].map(([name, aggregate], position) => ({
          name,
          position,
          aggregate,
          completedDurations: result.durations.of(name),
        })),
      )
    }
    await truncate(missLogPathOf(options.jsonFile)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error
    })
  }
  return result
}

/** What a batch's checkpoint digest covers: each record's id (its identity) and its outcome. */
const digestLine = (id: string, invocation: LegacyInvocation) =>
  `${id}${JSON.stringify([invocation.completed, invocation.duration_seconds, invocation.error_type, invocation.follow_up_actions])}\n`

/** One sync pass over the file, read again whole if a lockless writer was halfway through a save. */
export function syncPass(
  store: SkillMetricsStore,
  options: MigrateOptions,
  pass: MigrateProgress['pass'],
): Promise<PassResult> {
  return readingThroughTornSaves((snapshot) => syncPassOnce(store, options, pass, snapshot))
}

async function syncPassOnce(
  store: SkillMetricsStore,
  options: MigrateOptions,
  pass: MigrateProgress['pass'],
  snapshot: boolean,
): Promise<PassResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
  const ids = new InvocationIdAssigner()
  const result: PassResult = {
    read: 0,
    inserted: 0,
    updated: 0,
    batches: 0,
    skippedBatches: 0,
    displaced: 0,
    rejected: [],
    skills: new Map(),
    durations: new CompletedDurations(),
    fingerprint: null,
    restored: [],
    behind: [],
  }
  // Batches are fixed ranges of positions, so a rerun cuts the file the same way and finds the
  // checkpoints of the batches it already wrote.
  const ready: BackfillBatch[] = []
  let open: BackfillBatch | undefined
  let digest = createHash('sha1')
  const batchOf = (index: number): BackfillBatch => {
    if (open !== undefined && index < open.firstSeq + batchSize) return open
    if (open !== undefined) ready.push(close(open))
    open = { firstSeq: index - (index % batchSize), span: 0, digest: '', records: [] }
    return open
  }
  const close = (batch: BackfillBatch): BackfillBatch => {
    batch.digest = digest.digest('hex')
    digest = createHash('sha1')
    return batch
  }
  // One batch is written while the file goes on being read: PostgreSQL works while we parse
  // (12.6 s of a 20 s run were spent waiting on it). Only one write is ever in flight, so a
  // killed run still leaves at most one batch undone.
  let writing: Promise<void> = Promise.resolve()
  const flush = async () => {
    for (const batch of ready.splice(0)) {
      await writing
      writing = store.syncBatch(batch, { dryRun: options.dryRun }).then((written) => {
        result.batches += 1
        if (written.skipped) result.skippedBatches += 1
        result.inserted += written.inserted
        result.updated += written.updated
        result.displaced += written.displaced
        result.behind.push(...written.behind)
      })
      // Its failure is thrown by the next `await writing`, not reported as unhandled meanwhile.
      writing.catch(() => {})
    }
  }
  const totalBytes = (await stat(options.jsonFile).catch(() => ({ size: 0 }))).size
  const scan = await scanLegacyFile(
    options.jsonFile,
    (invocation, seq) => {
      const batch = batchOf(seq)
      const id = ids.next(invocation)
      batch.records.push(storedRecordOf(invocation, id, seq))
      batch.span = seq + 1 - batch.firstSeq
      digest.update(digestLine(id, invocation))
      result.durations.add(invocation)
      result.read += 1
    },
    {
      snapshot,
      onInvalid: (error: BadInputError, index) => {
        const batch = batchOf(index)
        batch.span = index + 1 - batch.firstSeq
        digest.update(`rejected ${index}\n`)
        result.read += 1
        result.rejected.push({ index, message: error.message, field: error.location.field })
      },
      afterChunk: async (bytesRead) => {
        options.signal?.throwIfAborted()
        await flush()
        options.onProgress?.({ pass, read: result.read, bytesRead, totalBytes })
      },
      // A batch's write advances a round trip at a time, and only between chunks: small chunks
      // give it the turns it needs while the next batch is read.
      chunkBytes: 256 << 10,
    },
  )
  if (open !== undefined) ready.push(close(open))
  await flush()
  await writing
  result.skills = scan.skills
  result.fingerprint = scan.fingerprint
  return result
}
