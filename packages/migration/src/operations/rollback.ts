import { rm } from 'node:fs/promises'
import {
  ForeignWriterBusyError,
  type Phase,
  RefusedError,
  systemClock,
  toNaiveLocalIso,
} from '@skill-metrics/core'
import { PhaseStore, SkillMetricsStore } from '@skill-metrics/db-store'
import {
  encodeLegacyFile,
  fileVersionOf,
  readWriterState,
  replaceLegacyFile,
  scanThroughTornSaves,
  withWritersLock,
} from '@skill-metrics/json-tracker'
import { type ForeignRepair, importForeignAdditions } from '../backfill/foreign-repairs.js'
import type { RejectedRecord } from '../backfill/pass-result.js'
import { rollbackSpace } from '../phases/disk-space.js'
import { DB_TRUTH_PHASES } from '../phases/phase-copy.js'
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
import type { RollbackTarget } from './defaults.js'

/** `force` passes the free-space check and a legacy file that moved. */
export interface RollbackOptions extends OperatorOptions {
  to?: RollbackTarget
}

export interface RollbackResult {
  from: Phase
  to: RollbackTarget
  epoch: number
  /** False when the phase already was the target: nothing was changed. */
  moved: boolean
  /** The legacy file of this database; and free space when the legacy file is regenerated. */
  checks: GuardCheck[]
  /** True when --force passed a failed check. */
  forced: boolean
  /** Set when the legacy file was regenerated from the database (or would be, on a dry run). */
  regenerated: { invocations: number; skills: number; bytes: number | null } | null
  /** The previous legacy file, kept beside it. */
  backup: LegacyBackup | null
  /**
   * Invocations another writer added to the legacy file after cutover, imported into the
   * database before the file was regenerated from it (on a dry run: those that would be).
   */
  imported: ForeignRepair[]
  /** Records of that file the legacy schema rejects: not imported, kept in the backup. */
  notImported: RejectedRecord[]
  dryRun: boolean
}

/**
 * `rollback`, from any phase, under the writers' lock (ARCHITECTURE §5). While the legacy file is
 * the source of truth it only moves the phase. From `db-primary` or `cleaned` it first fences the
 * database (a new epoch: every database write of the old phase now fails and is made again on
 * the legacy file once this ends), then regenerates the file from the database, every invocation
 * and aggregate in the file's order, keeping the previous file as a backup, and only then moves
 * the phase. Before that, what another writer added to the file since cutover is imported. A run killed at any point leaves the database the source of truth with every write,
 * and a rerun does the whole of it again.
 */
export async function rollback(options: RollbackOptions): Promise<RollbackResult> {
  requireReasonToForce(options)
  const to = options.to ?? 'dual-write'
  const clock = options.clock ?? systemClock
  await settleStoppedTransition(options)
  const phases = await PhaseStore.open(options.target)
  try {
    const work = async (assertHeld: () => void): Promise<RollbackResult> => {
      const state = await phases.state()
      const result: RollbackResult = {
        from: state.phase,
        to,
        epoch: state.epoch,
        moved: false,
        checks: [],
        forced: false,
        regenerated: null,
        backup: null,
        imported: [],
        notImported: [],
        dryRun: options.dryRun === true,
      }
      if (state.phase === to) return result
      const at = clock.now()
      const record = (epoch: number, toPhase: Phase, outcome: string) =>
        transitionRecord({
          at,
          reason: options.reason,
          from: state.phase,
          to: toPhase,
          epoch,
          result: outcome,
          forced: result.forced,
          checks: result.checks.length === 0 ? null : result.checks,
        })
      if (state.phase === 'json-only') {
        // The flags are fine; the phase says no, as a guard does: a refusal, recorded.
        const why = `phase is json-only; moving to ${to} is not a rollback`
        if (!options.dryRun) await phases.recordAttempt(record(state.epoch, to, `refused: ${why}`))
        throw new RefusedError(`refused to roll back to ${to}: ${why}`, {
          nextStep: 'Start dual-write with: skill-metrics phase dual-write',
        })
      }
      const fromDatabase = DB_TRUTH_PHASES.includes(state.phase)
      const served = await legacyFileServed({ ...options, store: phases })
      result.checks = fromDatabase ? [served, await rollbackSpace(options)] : [served]
      const failed = result.checks.filter((check) => !check.ok)
      result.forced = failed.length > 0 && options.force === true
      if (failed.length > 0 && !result.forced) {
        const why = failed.map((check) => check.detail).join('; ')
        if (!options.dryRun) await phases.recordAttempt(record(state.epoch, to, `refused: ${why}`))
        throw new RefusedError(`refused to roll back to ${to}: ${why}`)
      }
      if (!fromDatabase) {
        result.moved = true
        result.epoch = state.epoch + 1
        if (!options.dryRun) await flipPhase(phases, options, record(result.epoch, to, 'ok'), null)
        return result
      }
      result.moved = true
      result.epoch = state.epoch + 2
      const store = await SkillMetricsStore.open({ target: options.target, epoch: state.epoch })
      try {
        // What another writer added to the file since cutover joins the database first: the
        // file regenerated from it keeps those invocations instead of dropping them.
        const additions = await importForeignAdditions(store, {
          jsonFile: options.jsonFile,
          now: at,
          assertHeld: options.dryRun ? undefined : assertHeld,
        })
        result.imported = additions.imported
        result.notImported = additions.rejected
        if (options.dryRun) {
          result.regenerated = {
            invocations: await store.invocationCount(),
            skills: (await store.skillAggregates()).size,
            bytes: null,
          }
          return result
        }
        let regenerated: NonNullable<RollbackResult['regenerated']> | undefined
        await flipPhase(phases, options, record(result.epoch, to, 'ok'), null, {
          beforeCommit: async () => {
            // File writers meet the mark and wait for the lock; database writers meet the new
            // epoch and then the mark: no write lands anywhere while the file is regenerated.
            await phases.commitTransition(
              record(
                state.epoch + 1,
                state.phase,
                'rollback under way: database writes fenced while the legacy file is regenerated',
              ),
              state.cutover_at,
              options.jsonFile,
            )
            // A lockless save after the import would be renamed over: it is imported (the
            // database now fenced at the new epoch) and the file regenerated again.
            let imported = additions.version
            for (let attempt = 1; ; attempt += 1) {
              try {
                const { backup, ...written } = await regenerateLegacyFile(
                  options.jsonFile,
                  store,
                  at,
                  () => guardVersion(options.jsonFile, imported, assertHeld),
                )
                regenerated = written
                result.backup = backup
                break
              } catch (error) {
                if (!(error instanceof SavedOverSinceImport)) throw error
                if (attempt >= REGENERATE_ATTEMPTS) {
                  const why = `${options.jsonFile} was saved by a program that takes no lock before each of ${attempt} regenerations could replace it (every save was imported into the database first: nothing is lost); the database stays the source of truth`
                  await phases.recordAttempt(record(state.epoch + 1, to, `refused: ${why}`))
                  throw new ForeignWriterBusyError(`refused to roll back to ${to}: ${why}`, {
                    nextStep: `Stop or pause the program that writes ${options.jsonFile} without skill-metrics, then run: skill-metrics rollback --to ${to}`,
                  })
                }
                const more = await importIntoFenced(options, state.epoch + 1, at, assertHeld)
                result.imported.push(...more.imported)
                result.notImported.push(...more.rejected)
                imported = more.version
              }
            }
          },
        })
        result.regenerated = regenerated!
        return result
      } finally {
        await store.close()
      }
    }
    // A dry run takes no lock: taking it writes the lock directory.
    return options.dryRun
      ? await work(() => {})
      : await withWritersLock(options.jsonFile, (lock) => work(lock.assertHeld), {
          timeoutMs: options.lockTimeoutMs,
        })
  } finally {
    await phases.close()
  }
}

/** A lockless save landed after rollback imported the file: regenerating now would erase it. */
class SavedOverSinceImport extends Error {}

const REGENERATE_ATTEMPTS = 20

async function guardVersion(jsonFile: string, imported: string | null, assertHeld: () => void) {
  assertHeld()
  if ((await fileVersionOf(jsonFile)) !== imported) throw new SavedOverSinceImport()
}

async function importIntoFenced(
  options: RollbackOptions,
  epoch: number,
  now: Date,
  assertHeld: () => void,
) {
  const fenced = await SkillMetricsStore.open({ target: options.target, epoch })
  try {
    return await importForeignAdditions(fenced, { jsonFile: options.jsonFile, now, assertHeld })
  } finally {
    await fenced.close()
  }
}

/**
 * Writes the legacy file the database holds, in the exact legacy format, atomically, keeping
 * what was there as a backup. Top-level keys the legacy format does not know survive from the
 * previous file. The writer state accepts the new bytes, so nothing mistakes them for a foreign
 * write.
 */
async function regenerateLegacyFile(
  jsonFile: string,
  store: SkillMetricsStore,
  at: Date,
  beforeCommit: () => Promise<void>,
) {
  const document = await store.legacyDocument()
  const previous = await scanThroughTornSaves(jsonFile).catch(() => null)
  document.extra = previous?.extra ?? []
  document.last_updated = toNaiveLocalIso(at)
  const backup = await backupLegacyFile(jsonFile, at)
  const bytes = encodeLegacyFile(document)
  const state = await readWriterState(jsonFile)
  try {
    await replaceLegacyFile(
      jsonFile,
      bytes,
      backup?.fingerprint ?? null,
      state,
      at.toISOString(),
      beforeCommit,
    )
  } catch (error) {
    // The file is as it was: a copy of it would only take the space a retry needs.
    if (backup !== null) await Promise.all([rm(backup.path), rm(backup.manifest)])
    throw error
  }
  return {
    invocations: document.invocations.length,
    skills: document.skills.size,
    bytes: bytes.length,
    backup,
  }
}
