import { stat } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  aggregateDiffs,
  type BadInputError,
  type FieldDiff,
  InconsistencyError,
  InvocationIdAssigner,
  invocationDiffs,
  sameInvocation,
  UsageError,
} from '@skill-metrics/core'
import {
  type DatabaseTarget,
  type FileRecord,
  PhaseStore,
  SkillMetricsStore,
  type ValidationRecord,
} from '@skill-metrics/db-store'
import { modeForFilesBeside, writeFileDurably } from '@skill-metrics/durable-file'
import {
  invocationsLoggedSince,
  type LegacyScan,
  readingThroughTornSaves,
  scanLegacyFile,
  withWritersLock,
} from '@skill-metrics/json-tracker'
import { currentActor } from '../phases/actor.js'
import { migratedGuard } from '../phases/guards.js'
import {
  requireReasonToForce,
  requireServedLegacyFile,
  settleStoppedTransition,
  type TransitionOutcome,
  transition,
} from '../phases/transition.js'
import { DUAL_WRITE_TIMEOUT_MS } from '../trackers/dual-write-tracker.js'
import { syncChangesSince } from './changes-since.js'
import { type ForeignRepair, readForeignRepairs } from './foreign-repairs.js'
import { differenceCount, emptyReport, type ValidationReport } from './validation-report.js'

export type { FieldDiff }
export { differenceCount, type ValidationReport }

/** How far a comparison got: the file's bytes read, and the invocations compared so far. */
export interface ValidateProgress {
  bytesRead: number
  totalBytes: number
  compared: number
}

export interface ValidateOptions {
  jsonFile: string
  target: DatabaseTarget
  batchSize?: number
  lockTimeoutMs?: number
  onProgress?: (progress: ValidateProgress) => void
  /** Stops the comparison between chunks of the file (a cutover's bounded freeze). */
  signal?: AbortSignal
  /** Compare only: the backfill's checkpoints stay as they are, even where records differ. */
  dryRun?: boolean
}

export interface RunValidationOptions extends ValidateOptions {
  /**
   * Move dual-write to migrated although the validation found differences (records the legacy
   * schema rejects, say, that the user accepts): the transition is recorded as forced, with why.
   */
  force?: boolean
  reason?: string
  /**
   * Writes the full report (every difference with its fields) to this file before the phase
   * moves: a report that cannot be written stops the run with nothing changed.
   */
  reportFile?: string
}

/**
 * Compares the legacy file with the database the way Vitess VDiff compares tables: per skill
 * every aggregate field, per invocation id missing, extra and mismatched records with their field
 * differences. It streams the file and looks records up a batch at a time. Differences are
 * checked again under the writers' lock, once the dual-write copies of our writers' last
 * rewrites have had their bound to land; those gone by then were writes in flight, not
 * mismatches. Validating the file against itself reports nothing. Invocation differences clear
 * the backfill's checkpoints, so the next `data migrate` repairs them.
 */
export async function validateData(options: ValidateOptions): Promise<ValidationReport> {
  const startedAt = Date.now()
  const store = await SkillMetricsStore.open({ target: options.target })
  try {
    const first = await compare(store, options)
    if (isClean(first)) return first
    const second = await withWritersLock(
      options.jsonFile,
      async () => {
        const lockedAt = Date.now()
        const rechecked = await recheck(store, options, first)
        if (!(await copiesMayBeInFlight(options.jsonFile, rechecked, startedAt))) return rechecked
        await sleep(Math.max(0, lockedAt + COPY_SETTLE_MS - Date.now()), undefined, {
          signal: options.signal,
        })
        return recheck(store, options, first)
      },
      { timeoutMs: options.lockTimeoutMs },
    )
    const { missing, extra, mismatched } = second.invocations
    if (missing.length + extra.length + mismatched.length > 0 && !options.dryRun) {
      // The database differs from the file where the backfill's checkpoints say it is equal:
      // forget them, so the next `data migrate` compares every record and repairs it.
      await store.clearBackfillCheckpoints()
    }
    const before = differenceCount(first)
    const after = differenceCount(second)
    return {
      ...second,
      invocations: { ...second.invocations, inFlight: Math.max(0, before - after) },
    }
  } finally {
    await store.close()
  }
}

/**
 * How long after the writers' lock was taken every dual-write copy started before it has landed
 * or been recorded as missed: writers copy to the database after they release the lock
 * (ARCHITECTURE §5), within the dual-write bound, plus a second for a loaded machine's scheduling.
 * Without this wait the PostgreSQL smoke runs found the newest writes "missing" under the lock,
 * three rounds in a row, on a busy machine.
 */
const COPY_SETTLE_MS = DUAL_WRITE_TIMEOUT_MS + 1_000

/**
 * Rewrites that began this long before the validation count as recent: a rewrite of a big file
 * takes seconds before its holder releases the lock and starts the copy.
 */
const RECENT_REWRITE_MS = 60_000

/**
 * Whether the differences left under the lock may be dual-write copies on their way: only records
 * the database lacks or holds differently (none it holds beyond the file), every one written by
 * our writers since shortly before the validation began, and the file as they left it. Anything
 * else is a difference however long one waits, and is reported without waiting (a foreign save
 * after our writers' sends the recheck through the whole file; waiting would read it twice).
 */
async function copiesMayBeInFlight(
  jsonFile: string,
  report: ValidationReport,
  startedAt: number,
): Promise<boolean> {
  const { missing, mismatched, extra } = report.invocations
  const behind = [...missing, ...mismatched]
  if (behind.length === 0 || extra.length > 0) return false
  const recent = await invocationsLoggedSince(jsonFile, new Date(startedAt - RECENT_REWRITE_MS))
  return recent !== null && behind.every(({ id }) => recent.has(id))
}

/**
 * The recheck under the writers' lock: of the differences found and what the writers changed
 * since, when their log says what that is (the counts compared stay the full pass's, which this
 * completes); else of the whole file again.
 */
async function recheck(
  store: SkillMetricsStore,
  options: ValidateOptions,
  first: ValidationReport,
): Promise<ValidationReport> {
  const changed = await syncChangesSince(
    store,
    { jsonFile: options.jsonFile, signal: options.signal, sync: false },
    first,
  )
  if (changed === null) return compare(store, options)
  const { report } = changed
  return {
    ...report,
    skills: { ...report.skills, compared: first.skills.compared },
    invocations: { ...report.invocations, compared: first.invocations.compared },
  }
}

/**
 * Records a validation run; a clean one is what the guard to `migrated` asks for. When it
 * started is kept too: only a validation that started after the last foreign write has seen it.
 */
export async function recordValidation(
  phases: PhaseStore,
  report: ValidationReport,
  kind: string,
  startedAt: Date,
) {
  await phases.recordValidation({
    at: new Date().toISOString(),
    kind,
    clean: report.clean,
    summary: JSON.stringify({
      started_at: startedAt.toISOString(),
      actor: currentActor(),
      skills: report.skills.compared,
      invocations: report.invocations.compared,
      differences: differenceCount(report),
      rejected: report.rejected.length,
      inFlight: report.invocations.inFlight,
    }),
  })
}

const isClean = (report: ValidationReport) => differenceCount(report) === 0

/**
 * Records compared per database read, and the file's bytes read between two reads: a batch, its
 * records and its rows then die young. At 5,000 records and 4 MiB chunks (16,000 records each)
 * they outlived the young generation and were copied to the old one, and garbage collection took
 * a third of a 1M-record validation (9 of 27 s profiled); at these sizes it measured 2.3-2.6×
 * the streaming pass against 4.5× (back to back, 1M records on SQLite).
 */
const BATCH_RECORDS = 1_000
const CHUNK_BYTES = 256 << 10

/**
 * One comparison pass, no recheck: for a caller that already holds the writers' lock. Read again
 * whole if a lockless writer was halfway through a save.
 */
export function compare(store: SkillMetricsStore, options: ValidateOptions) {
  return readingThroughTornSaves((snapshot) => compareOnce(store, options, snapshot))
}

async function compareOnce(
  store: SkillMetricsStore,
  options: ValidateOptions,
  snapshot: boolean,
): Promise<ValidationReport> {
  const batchSize = options.batchSize ?? BATCH_RECORDS
  const totalBytes = (await stat(options.jsonFile).catch(() => ({ size: 0 }))).size
  const ids = new InvocationIdAssigner()
  let found = 0
  const report = emptyReport()
  let batch: FileRecord[] = []
  const check = async (records: FileRecord[]) => {
    if (records.length === 0) return
    const { absent, differing } = await store.differencesInRange(
      records[0]!.index,
      records.at(-1)!.index + 1,
      records,
    )
    // A record stored at another position than the file's is looked up by its id.
    const elsewhere = absent.length > 0 ? await store.invocationsById(absent) : new Map()
    const notThere = new Set(absent)
    for (const { id, index, record } of records) {
      report.invocations.compared += 1
      const match = notThere.has(id) ? elsewhere.get(id) : differing.get(id)
      if (notThere.has(id) && match === undefined) {
        report.invocations.missing.push({ id, index })
        continue
      }
      found += 1
      if (match !== undefined && !sameInvocation(record, match)) {
        report.invocations.mismatched.push({ id, index, diffs: invocationDiffs(record, match) })
      }
    }
  }
  // A batch is compared while the file's next chunk is parsed: PostgreSQL answers from another
  // process (SQLite's reads run on this thread either way). One batch at a time keeps the report
  // in the file's order; a failure surfaces at the next batch or the end.
  let checking: Promise<void> = Promise.resolve()
  const checkBatch = async () => {
    await checking
    checking = check(batch)
    checking.catch(() => {})
    batch = []
  }
  let scan: LegacyScan
  try {
    scan = await scanLegacyFile(
      options.jsonFile,
      (record, index) => {
        batch.push({ id: ids.next(record), index, record })
      },
      {
        snapshot,
        onInvalid: (error: BadInputError, index) =>
          report.rejected.push({ index, message: error.message, field: error.location.field }),
        afterChunk: async (bytesRead) => {
          options.signal?.throwIfAborted()
          if (batch.length >= batchSize) await checkBatch()
          options.onProgress?.({ bytesRead, totalBytes, compared: report.invocations.compared })
        },
        chunkBytes: CHUNK_BYTES,
      },
    )
    await checkBatch()
  } finally {
    // The store closes after this pass: not under a comparison still running.
    await checking.catch(() => {})
  }
  await checking
  // Ids are unique on both sides, so the database holds extra records exactly when it holds more
  // than the file's records it matched; only then are they worth a set of every id.
  if ((await store.invocationCount()) > found) {
    report.invocations.extra = await extraInvocations(store, options.jsonFile)
  }
  const databaseSkills = await store.skillAggregates()
  // Positions are compared among the skills both sides hold: a skill only one side has is
  // reported as missing or extra, not as a shift of every skill after it.
  const inBoth = (names: Iterable<string>, other: Map<string, unknown>) =>
    new Map([...names].filter((name) => other.has(name)).map((name, index) => [name, index]))
  const fileOrder = inBoth(scan.skills.keys(), databaseSkills)
  const databaseOrder = inBoth(databaseSkills.keys(), scan.skills)
  for (const [name, aggregate] of scan.skills) {
    report.skills.compared += 1
    const stored = databaseSkills.get(name)
    if (stored === undefined) {
      report.skills.missing.push(name)
      continue
    }
    const diffs = aggregateDiffs(aggregate, stored)
    if (fileOrder.get(name) !== databaseOrder.get(name)) {
      diffs.push({ field: 'position', json: fileOrder.get(name), db: databaseOrder.get(name) })
    }
    if (diffs.length > 0) report.skills.mismatched.push({ name, diffs })
  }
  report.skills.extra = [...databaseSkills.keys()].filter((name) => !scan.skills.has(name))
  report.legacyFile = { fingerprint: scan.fingerprint, modifiedAt: scan.modifiedAt }
  report.clean = isClean(report)
  return report
}

/** What `data migrate` put back into the file since the last recorded validation. */
async function restoredSince(
  last: ValidationRecord | null,
  jsonFile: string,
): Promise<ForeignRepair[]> {
  return (await readForeignRepairs(jsonFile)).filter(
    (repair) => repair.kind === 'restored' && (last === null || repair.at > last.at),
  )
}

async function extraInvocations(store: SkillMetricsStore, jsonFile: string): Promise<string[]> {
  const ids = new InvocationIdAssigner()
  const inFile = new Set<string>()
  await scanLegacyFile(jsonFile, (record) => inFile.add(ids.next(record)), { onInvalid: () => {} })
  const extra: string[] = []
  for await (const id of store.invocationIds()) {
    if (!inFile.has(id)) extra.push(id)
  }
  return extra
}

export interface ValidationRun {
  report: ValidationReport
  /** A dry run compared only: it recorded no validation and moved no phase. */
  dryRun: boolean
  /** Set when a clean validation moved `dual-write` to `migrated`. */
  advanced: TransitionOutcome | null
  /** The run failed: differences the user did not accept with `--force`, and what to do next. */
  failure: InconsistencyError | null
}

/**
 * `data validate`: compare, record the run, and on a clean one (or a forced one, with a reason)
 * move dual-write to migrated. A dry run compares and reports (the report file included) and
 * records nothing: a guard never opens on a validation nobody recorded.
 */
export async function runValidation(options: RunValidationOptions): Promise<ValidationRun> {
  requireReasonToForce(options)
  if (options.dryRun && options.force) {
    throw new UsageError('--dry-run accepts no difference: drop --force, or --dry-run')
  }
  await settleStoppedTransition(options)
  const startedAt = new Date()
  const phases = await PhaseStore.open(options.target)
  let report: ValidationReport
  let phase: string
  try {
    await requireServedLegacyFile(phases, options)
    report = await validateData(options)
    report.restored = await restoredSince(await phases.lastValidation(), options.jsonFile)
    if (options.reportFile !== undefined) {
      await writeFileDurably(options.reportFile, `${JSON.stringify(report, null, 2)}\n`, {
        mode: await modeForFilesBeside(options.jsonFile),
      })
    }
    if (!options.dryRun) await recordValidation(phases, report, 'full', startedAt)
    phase = (await phases.state()).phase
  } finally {
    await phases.close()
  }
  const advanced =
    (report.clean || options.force) && phase === 'dual-write' && !options.dryRun
      ? await transition({
          jsonFile: options.jsonFile,
          target: options.target,
          to: 'migrated',
          from: ['dual-write'],
          guard: migratedGuard,
          force: options.force,
          reason: options.reason,
          lockTimeoutMs: options.lockTimeoutMs,
        })
      : null
  return {
    report,
    dryRun: options.dryRun === true,
    advanced,
    failure: validationFailure(report, advanced),
  }
}

function validationFailure(
  report: ValidationReport,
  advanced: TransitionOutcome | null,
): InconsistencyError | null {
  // Differences the user accepted with --force moved the phase on: that run succeeded.
  if (report.clean || advanced !== null) return null
  return new InconsistencyError(
    `${differenceCount(report)} difference(s) between the legacy file and the database`,
    {
      nextStep:
        report.rejected.length > 0
          ? 'Fix the rejected records in the file and run skill-metrics data migrate, or accept them: skill-metrics data validate --force --reason "…"'
          : 'Run skill-metrics data migrate (JSON wins), then validate again.',
    },
  )
}
