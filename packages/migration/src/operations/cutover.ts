import {
  type Clock,
  InconsistencyError,
  type Phase,
  RefusedError,
  systemClock,
} from '@skill-metrics/core'
import {
  type DatabaseTarget,
  type PhaseState,
  PhaseStore,
  SkillMetricsStore,
} from '@skill-metrics/db-store'
import { acceptLegacyFile, withWritersLock } from '@skill-metrics/json-tracker'
import { syncChangesSince } from '../backfill/changes-since.js'
import {
  finishSync,
  type MigrateResult,
  type PassResult,
  resultOf,
  syncPass,
} from '../backfill/data-migrator.js'
import {
  compare,
  differenceCount,
  recordValidation,
  type ValidationReport,
} from '../backfill/data-validator.js'
import { cutoverSpace } from '../phases/disk-space.js'
import { noForeignWriteSinceCleanValidation, noUnresolvedMismatches } from '../phases/guards.js'
import {
  flipPhase,
  type GuardCheck,
  legacyFileServed,
  type OperatorOptions,
  requireReasonToForce,
  settleStoppedTransition,
  transitionRecord,
} from '../phases/transition.js'
import { backupLegacyFile, type LegacyBackup } from './backup.js'
import { DEFAULT_FREEZE_TIMEOUT_MS } from './defaults.js'
import { checkHealth } from './health.js'

export type CutoverStep = 'sync' | 'validate' | 'backup' | 'freeze' | 'flip' | 'health'

/**
 * `force` passes the free-space and foreign-writer checks and a legacy file that moved;
 * `lockTimeoutMs` bounds the wait before the freeze.
 */
export interface CutoverOptions extends OperatorOptions {
  /** How long writers may be held waiting (default 5 s); past it nothing changes. */
  freezeTimeoutMs?: number
  /** Hears of each step as it starts; the step waits for what it returns. */
  onStep?: (step: CutoverStep) => void | Promise<void>
}

export interface CutoverResult {
  from: Phase
  to: 'db-primary'
  epoch: number
  /** False when the phase already was db-primary (a rerun): nothing was changed. */
  moved: boolean
  checks: GuardCheck[]
  /** True when --force passed a failed check. */
  forced: boolean
  backup: LegacyBackup | null
  /** The sync and validation done before the freeze, while writers went on. */
  bulk: { migrate: MigrateResult; validated: number; differences: number } | null
  /**
   * The bounded freeze: writers waited this long while what changed was synced and compared.
   * `changesOnly` when the writers' log showed what changed since the bulk validation, so only
   * that was (`validated` counts it); else the whole file was.
   */
  freeze: {
    ms: number
    inserted: number
    updated: number
    validated: number
    changesOnly: boolean
  } | null
  health: GuardCheck[]
  dryRun: boolean
}

/** What one cutover run carries from step to step. */
interface Run {
  options: CutoverOptions
  clock: Clock
  /** The legacy file and the database, as the sync and the comparison take them. */
  source: { jsonFile: string; target: DatabaseTarget }
  phases: PhaseStore
  /** The phase as cutover found it: dual-read at this epoch, or the freeze refuses. */
  state: PhaseState
  result: CutoverResult
}

/**
 * Phase 4 with no process stopped (ARCHITECTURE §5). The bulk work runs while writers go on:
 * sync, full validation, a backup of the file with a sha256 manifest. Then the freeze: holding
 * the writers' lock (writers wait, they do not fail) it syncs and compares what changed since,
 * flips phase and epoch to `db-primary`, checks health and releases. The freeze is bounded; past
 * it, or on any failure, the phase stays (or is put back to) `dual-read` and the reason is thrown:
 * exit 4 for a refusal or a timeout, 5 for a difference. A run killed after the flip leaves
 * `db-primary` with a database equal to the file, and its rerun says so.
 */
export async function cutover(options: CutoverOptions): Promise<CutoverResult> {
  requireReasonToForce(options)
  await settleStoppedTransition(options)
  const phases = await PhaseStore.open(options.target)
  try {
    const state = await phases.state()
    const run: Run = {
      options,
      clock: options.clock ?? systemClock,
      source: { jsonFile: options.jsonFile, target: options.target },
      phases,
      state,
      result: nothingDone(state, options.dryRun === true),
    }
    if (state.phase === 'db-primary') return run.result
    if (state.phase !== 'dual-read') {
      throw new RefusedError(`phase is ${state.phase}; cutover goes from dual-read`, {
        nextStep: 'Run: skill-metrics status, and follow its Next line.',
      })
    }
    await guard(run)
    run.result.epoch = state.epoch + 1
    if (options.dryRun) return run.result

    const store = await SkillMetricsStore.open({ target: options.target })
    try {
      const started = performance.now()
      const bulk = await sync(run, store)
      const bulkReport = await validate(run, store)
      await backUp(run)
      await freeze(run, store, { started, bulk, bulkReport })
      return run.result
    } finally {
      await store.close()
    }
  } finally {
    await phases.close()
  }
}

function nothingDone(state: PhaseState, dryRun: boolean): CutoverResult {
  return {
    from: state.phase,
    to: 'db-primary',
    epoch: state.epoch,
    moved: false,
    checks: [],
    forced: false,
    backup: null,
    bulk: null,
    freeze: null,
    health: [],
    dryRun,
  }
}

/** No foreign write since the last clean validation, no unresolved mismatch, room on the disk; a refusal is recorded. */
async function guard(run: Run): Promise<void> {
  const { options, phases, state, result } = run
  const context = { jsonFile: options.jsonFile, target: options.target, state, store: phases }
  const served = await legacyFileServed(context)
  const space = await cutoverSpace(options)
  const foreign = await noForeignWriteSinceCleanValidation(context)
  result.checks = [served, foreign, await noUnresolvedMismatches(context), space]
  const failed = result.checks.filter((check) => !check.ok)
  // --force passes the free-space check, an estimate the operator may know better, the
  // foreign-writer check (the operator knows the writer is gone: the freeze compares anyway) and
  // a legacy file that moved (the flip records where); a mismatch is cleared only by repairing
  // the data (data migrate, then data validate).
  result.forced =
    options.force === true &&
    failed.length > 0 &&
    failed.every((check) => check === served || check === space || check === foreign)
  if (failed.length === 0 || result.forced) return
  const reasons = failed.map((check) => check.detail).join('; ')
  if (!options.dryRun) {
    await phases.recordAttempt(
      historyRow(run, state.epoch, 'dual-read', 'db-primary', `refused: ${reasons}`),
    )
  }
  throw new RefusedError(`refused to cut over: ${reasons}`)
}

async function sync(run: Run, store: SkillMetricsStore): Promise<PassResult> {
  await run.options.onStep?.('sync')
  return syncPass(store, run.source, 'bulk')
}

async function validate(run: Run, store: SkillMetricsStore): Promise<ValidationReport> {
  await run.options.onStep?.('validate')
  // No recheck under the lock here: that would be a freeze with no bound. A difference now is
  // a write in flight or one the sync missed; the freeze syncs again (JSON wins) and its own
  // comparison is the one that decides.
  const startedAt = new Date()
  const report = await compare(store, run.source)
  await recordValidation(run.phases, report, 'cutover (before the freeze)', startedAt)
  return report
}

async function backUp(run: Run): Promise<void> {
  await run.options.onStep?.('backup')
  run.result.backup = await backupLegacyFile(run.options.jsonFile, run.clock.now())
}

/**
 * Holds the writers' lock while what changed since the bulk sync is synced and compared, then
 * flips the phase and checks health before writers go on.
 */
async function freeze(
  run: Run,
  store: SkillMetricsStore,
  before: { started: number; bulk: PassResult; bulkReport: ValidationReport },
): Promise<void> {
  await run.options.onStep?.('freeze')
  await withWritersLock(
    run.options.jsonFile,
    async (lock) => {
      const frozen = performance.now()
      if ((await run.phases.state()).epoch !== run.state.epoch) {
        throw new RefusedError('the phase moved while cutover prepared; nothing was changed')
      }
      const startedAt = new Date()
      const { last, report, changesOnly } = await syncWhatChanged(run, store, before)
      await recordValidation(run.phases, report, 'cutover (in the freeze)', startedAt)
      if (!report.clean) throw await failed(run, differencesError(report))
      // From the flip on, a change to these bytes is a foreign write that `health` reports.
      const { fingerprint, modifiedAt } = report.legacyFile
      if (fingerprint !== null) {
        lock.assertHeld()
        await acceptLegacyFile(
          run.options.jsonFile,
          fingerprint,
          startedAt.toISOString(),
          modifiedAt,
        )
      }
      run.result.bulk = {
        migrate: resultOf({}, before.started, before.bulk, last),
        validated: before.bulkReport.invocations.compared,
        differences: differenceCount(before.bulkReport),
      }
      await flip(run)
      run.result.moved = true
      run.result.freeze = {
        ms: Math.round(performance.now() - frozen),
        inserted: last.inserted,
        updated: last.updated,
        validated: report.invocations.compared,
        changesOnly,
      }
    },
    { timeoutMs: run.options.lockTimeoutMs },
  )
}

/**
 * The freeze's own sync and comparison, cut short in time for the flip and the health check: of
 * what the writers' log says changed since the bulk validation when it can say, else of the whole
 * file. A difference among the changes is looked for again in the whole file, whose sync also
 * repairs what the changes' forward-only sync cannot.
 */
async function syncWhatChanged(
  run: Run,
  store: SkillMetricsStore,
  { bulk, bulkReport }: { bulk: PassResult; bulkReport: ValidationReport },
) {
  const freezeTimeoutMs = run.options.freezeTimeoutMs ?? DEFAULT_FREEZE_TIMEOUT_MS
  const signal = AbortSignal.timeout(
    Math.ceil(freezeTimeoutMs - Math.min(1_000, freezeTimeoutMs / 4)),
  )
  try {
    const changed = await syncChangesSince(
      store,
      { jsonFile: run.source.jsonFile, signal, sync: true },
      bulkReport,
    )
    if (changed?.report.clean) {
      signal.throwIfAborted()
      return { last: changed.pass, report: changed.report, changesOnly: true }
    }
    const last = await finishSync(store, { ...run.source, signal }, bulk)
    const report = await compare(store, { ...run.source, signal })
    signal.throwIfAborted()
    return { last, report, changesOnly: false }
  } catch (error) {
    if (!signal.aborted) throw error
    throw await failed(
      run,
      new RefusedError(
        `the freeze passed --freeze-timeout (${freezeTimeoutMs / 1000} s) before what changed since the bulk sync was synced and compared; the phase stays dual-read`,
        {
          nextStep:
            'Run cutover again when fewer writes are landing, or give it a longer --freeze-timeout.',
        },
      ),
    )
  }
}

async function flip(run: Run): Promise<void> {
  await run.options.onStep?.('flip')
  const record = historyRow(run, run.result.epoch, 'dual-read', 'db-primary', 'ok')
  // Health is checked while the copy is still marked: a writer that meets the mark waits, so
  // none writes as db-primary before the check has passed or moved the phase back.
  await flipPhase(run.phases, run.options, record, record.at, {
    afterCommit: () => checkHealthOrMoveBack(run),
  })
}

async function checkHealthOrMoveBack(run: Run): Promise<void> {
  const { options, result } = run
  await options.onStep?.('health')
  const health = await checkHealth({
    jsonFile: options.jsonFile,
    target: options.target,
    clock: run.clock,
    duringTransition: true,
    freeSpace: options.freeSpace,
  })
  result.health = health.checks
  if (health.ok) return
  const reasons = health.checks
    .filter((check) => !check.ok)
    .map((check) => check.detail)
    .join('; ')
  const back = result.epoch + 1
  const outcome = `reverted: health check failed: ${reasons}`
  await flipPhase(
    run.phases,
    options,
    historyRow(run, back, 'db-primary', 'dual-read', outcome),
    run.state.cutover_at,
  )
  result.epoch = back
  throw new RefusedError(`the health check after the flip failed (${reasons}); back to dual-read`)
}

/** Records the attempt as failed; the phase stays dual-read. */
async function failed(run: Run, error: Error): Promise<Error> {
  await run.phases.recordAttempt(
    historyRow(run, run.state.epoch, 'dual-read', 'db-primary', `failed: ${error.message}`),
  )
  return error
}

function historyRow(run: Run, epoch: number, from: Phase, to: Phase, result: string) {
  return transitionRecord({
    at: run.clock.now(),
    reason: run.options.reason,
    from,
    to,
    epoch,
    result,
    forced: run.result.forced,
    checks: run.result.checks,
  })
}

function differencesError(report: ValidationReport): InconsistencyError {
  const first = [
    ...report.invocations.missing.map(({ id, index }) => `invocation ${index} (${id}) missing`),
    ...report.invocations.extra.map((id) => `invocation ${id} extra`),
    ...report.invocations.mismatched.map(
      ({ id, index, diffs }) => `invocation ${index} (${id}): ${JSON.stringify(diffs)}`,
    ),
    ...report.skills.missing.map((name) => `skill ${name} missing`),
    ...report.skills.extra.map((name) => `skill ${name} extra`),
    ...report.skills.mismatched.map(({ name, diffs }) => `skill ${name}: ${JSON.stringify(diffs)}`),
    ...report.rejected.map((rejected) => rejected.message),
  ].slice(0, 3)
  return new InconsistencyError(
    `the database differs from the legacy file in ${differenceCount(report)} place(s), first: ${first.join('; ')}; the phase stays dual-read`,
    {
      nextStep:
        'See them with: skill-metrics data validate. Repair with: skill-metrics data migrate.',
    },
  )
}
