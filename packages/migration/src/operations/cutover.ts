import {
  type Clock,
  InconsistencyError,
  type Phase,
  RefusedError,
  systemClock,
} from '@skill-metrics/core'
import { type DatabaseTarget, SkillMetricsStore } from '@skill-metrics/db-store'
import type { FreeSpaceReader } from '@skill-metrics/durable-file'
import { withWritersLock } from '@skill-metrics/json-tracker'
import { currentActor } from '../phases/actor.js'
import { backupLegacyFile, type LegacyBackup } from './backup.js'
import { finishSync, type MigrateResult, resultOf, syncPass } from '../backfill/data-migrator.js'
import {
  compare,
  differenceCount,
  recordValidation,
  type ValidationReport,
} from '../backfill/data-validator.js'
import { cutoverSpace } from '../phases/disk-space.js'
import { noForeignWriter, noUnresolvedMismatches } from '../phases/guards.js'
import { checkHealth } from './health.js'
import { writePhaseCopy } from '../phases/phase-copy.js'
import { PhaseStore, type TransitionRecord } from '../phase-store.js'
import { type GuardCheck, requireReasonToForce, settledPhaseCopy } from '../phases/transition.js'

export const DEFAULT_FREEZE_TIMEOUT_MS = 5_000

export type CutoverStep = 'sync' | 'validate' | 'backup' | 'freeze' | 'flip' | 'health'

export interface CutoverOptions {
  jsonFile: string
  target: DatabaseTarget
  /** How long writers may be held waiting (default 5 s); past it nothing changes. */
  freezeTimeoutMs?: number
  dryRun?: boolean
  /** Cuts over though the free-space check fails; needs a reason, which is recorded. */
  force?: boolean
  reason?: string
  /** How long cutover waits to take the writers' lock before the freeze starts. */
  lockTimeoutMs?: number
  clock?: Clock
  freeSpace?: FreeSpaceReader
  onStep?: (step: CutoverStep) => void
}

export interface CutoverResult {
  from: Phase
  to: 'db-primary'
  epoch: number
  /** False when the phase already was db-primary (a rerun): nothing was changed. */
  moved: boolean
  checks: GuardCheck[]
  /** True when --force passed a failed free-space check. */
  forced: boolean
  backup: LegacyBackup | null
  /** The sync and validation done before the freeze, while writers went on. */
  bulk: { migrate: MigrateResult; validated: number; differences: number } | null
  /** The bounded freeze: writers waited this long while what changed was synced and compared. */
  freeze: { ms: number; inserted: number; updated: number; validated: number } | null
  health: GuardCheck[]
  dryRun: boolean
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
  const clock = options.clock ?? systemClock
  const freezeTimeoutMs = options.freezeTimeoutMs ?? DEFAULT_FREEZE_TIMEOUT_MS
  // A copy left marked by a killed run is settled from the database before anything is decided
  // (a dry run writes nothing, so it leaves that to the real run).
  if (!options.dryRun) {
    await settledPhaseCopy({
      jsonFile: options.jsonFile,
      db: options.target,
      lockTimeoutMs: options.lockTimeoutMs,
    })
  }
  const phases = await PhaseStore.open(options.target)
  try {
    const state = await phases.state()
    const result: CutoverResult = {
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
      dryRun: options.dryRun === true,
    }
    if (state.phase === 'db-primary') return result
    if (state.phase !== 'dual-read') {
      throw new RefusedError(`phase is ${state.phase}; cutover goes from dual-read`, {
        nextStep: 'Run: skill-metrics status, and follow its Next line.',
      })
    }
    const context = { jsonFile: options.jsonFile, target: options.target, state, store: phases }
    const space = await cutoverSpace(options)
    result.checks = [await noForeignWriter(context), await noUnresolvedMismatches(context), space]
    const record = (epoch: number, from: Phase, to: Phase, outcome: string): TransitionRecord => ({
      at: clock.now().toISOString(),
      actor: currentActor(),
      reason: options.reason ?? null,
      from_phase: from,
      to_phase: to,
      epoch,
      result: outcome,
      forced: result.forced,
      detail: JSON.stringify(result.checks),
    })
    const failed = result.checks.filter((check) => !check.ok)
    // --force passes the free-space check only, an estimate the operator may know better; the
    // other guards are cleared by repairing the data (data migrate, then data validate).
    result.forced = options.force === true && failed.length > 0 && failed.every((c) => c === space)
    if (failed.length > 0 && !result.forced) {
      const reasons = failed.map((check) => check.detail).join('; ')
      if (!options.dryRun) {
        await phases.recordAttempt(
          record(state.epoch, 'dual-read', 'db-primary', `refused: ${reasons}`),
        )
      }
      throw new RefusedError(`refused to cut over: ${reasons}`)
    }
    result.epoch = state.epoch + 1
    if (options.dryRun) return result

    const failure = async (error: Error) => {
      await phases.recordAttempt(
        record(state.epoch, 'dual-read', 'db-primary', `failed: ${error.message}`),
      )
      return error
    }
    const store = await SkillMetricsStore.open({ target: options.target })
    try {
      const started = performance.now()
      const migrateOptions = { jsonFile: options.jsonFile, target: options.target }
      options.onStep?.('sync')
      const bulk = await syncPass(store, migrateOptions, 'bulk')
      options.onStep?.('validate')
      // No recheck under the lock here: that would be a freeze with no bound. A difference now is
      // a write in flight or one the sync missed; the freeze syncs again (JSON wins) and its own
      // comparison is the one that decides.
      const bulkReport = await compare(store, migrateOptions)
      await recordValidation(phases, bulkReport, 'cutover (before the freeze)')
      options.onStep?.('backup')
      result.backup = await backupLegacyFile(options.jsonFile, clock.now())

      options.onStep?.('freeze')
      await withWritersLock(
        options.jsonFile,
        async () => {
          const frozen = performance.now()
          if ((await phases.state()).epoch !== state.epoch) {
            throw new RefusedError('the phase moved while cutover prepared; nothing was changed')
          }
          // The flip and the health check need a moment of the freeze too.
          const signal = AbortSignal.timeout(
            Math.ceil(freezeTimeoutMs - Math.min(1_000, freezeTimeoutMs / 4)),
          )
          let report: ValidationReport
          let last: Awaited<ReturnType<typeof finishSync>>
          try {
            last = await finishSync(store, { ...migrateOptions, signal }, bulk)
            report = await compare(store, { ...migrateOptions, signal })
            signal.throwIfAborted()
          } catch (error) {
            if (!signal.aborted) throw error
            throw await failure(
              new RefusedError(
                `the freeze passed --freeze-timeout (${freezeTimeoutMs / 1000} s) before what changed since the bulk sync was synced and compared; the phase stays dual-read`,
                {
                  nextStep:
                    'Run cutover again when fewer writes are landing, or give it a longer --freeze-timeout.',
                },
              ),
            )
          }
          await recordValidation(phases, report, 'cutover (in the freeze)')
          if (!report.clean) throw await failure(differencesError(report))
          result.bulk = {
            migrate: resultOf({}, started, bulk, last),
            validated: bulkReport.invocations.compared,
            differences: differenceCount(bulkReport),
          }
          options.onStep?.('flip')
          const at = clock.now().toISOString()
          const copy = { phase: 'db-primary' as const, epoch: result.epoch, updated_at: at }
          await writePhaseCopy(options.jsonFile, { ...copy, transitioning: true })
          await phases.commitTransition(record(result.epoch, 'dual-read', 'db-primary', 'ok'), at)
          options.onStep?.('health')
          const health = await checkHealth({
            jsonFile: options.jsonFile,
            target: options.target,
            clock,
            duringTransition: true,
            freeSpace: options.freeSpace,
          })
          result.health = health.checks
          if (!health.ok) {
            const reasons = health.checks.filter((check) => !check.ok).map((check) => check.detail)
            const back = result.epoch + 1
            await phases.commitTransition(
              record(
                back,
                'db-primary',
                'dual-read',
                `reverted: health check failed: ${reasons.join('; ')}`,
              ),
              state.cutover_at,
            )
            await writePhaseCopy(options.jsonFile, {
              phase: 'dual-read',
              epoch: back,
              transitioning: false,
              updated_at: clock.now().toISOString(),
            })
            result.epoch = back
            throw new RefusedError(
              `the health check after the flip failed (${reasons.join('; ')}); back to dual-read`,
            )
          }
          await writePhaseCopy(options.jsonFile, { ...copy, transitioning: false })
          result.moved = true
          result.freeze = {
            ms: Math.round(performance.now() - frozen),
            inserted: last.inserted,
            updated: last.updated,
            validated: report.invocations.compared,
          }
        },
        { timeoutMs: options.lockTimeoutMs },
      )
      return result
    } finally {
      await store.close()
    }
  } finally {
    await phases.close()
  }
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
