import { type Clock, type Phase, RefusedError, systemClock, UsageError } from '@skill-metrics/core'
import {
  canonicalDatabaseUrl,
  type DatabaseTarget,
  type PhaseState,
  PhaseStore,
  type TransitionRecord,
} from '@skill-metrics/db-store'
import type { FreeSpaceReader } from '@skill-metrics/durable-file'
import { withWritersLock } from '@skill-metrics/json-tracker'
import { currentActor } from './actor.js'
import { readPhaseCopy, settledPhaseCopy, writePhaseCopy } from './phase-copy.js'

/** One condition a transition's guard checked. */
export interface GuardCheck {
  name: string
  ok: boolean
  detail: string
  /**
   * `warn`: the check passed (`ok` stays true, nothing is refused) but something needs attention
   * before it turns into a failure, such as a disk filling up.
   */
  level?: 'warn'
  /**
   * `false`: `--force` does not pass it when it fails — overriding it would drop data that no
   * other command keeps (its detail names the command that clears it).
   */
  forceable?: false
}

export interface GuardContext {
  jsonFile: string
  target: DatabaseTarget
  state: PhaseState
  store: PhaseStore
  /** Measures free space for the guards that check it (default: the real file system). */
  freeSpace?: FreeSpaceReader
}

export type Guard = (context: GuardContext) => Promise<GuardCheck[]>

/** What every operation that moves the phase takes from the operator. */
export interface OperatorOptions {
  jsonFile: string
  target: DatabaseTarget
  /** Passes a failed guard; needs a reason, which is recorded. */
  force?: boolean
  reason?: string
  dryRun?: boolean
  /** How long to wait for the writers' lock. */
  lockTimeoutMs?: number
  clock?: Clock
  freeSpace?: FreeSpaceReader
}

export interface TransitionRequest extends OperatorOptions {
  to: Phase
  /** The phases this transition may start from (ARCHITECTURE §5). */
  from: readonly Phase[]
  guard: Guard
  /**
   * Work that belongs to the transition, run under the same lock once the guard passed (never on
   * a dry run): `beforeFlip` before the phase moves (a failure leaves the phase as it was),
   * `afterFlip` once the database moved, while the copy beside the file still carries the mark:
   * a run stopped before it ends leaves the mark, and its rerun does it.
   */
  beforeFlip?: (context: GuardContext) => Promise<void>
  afterFlip?: (context: GuardContext) => Promise<void>
}

export interface TransitionOutcome {
  from: Phase
  to: Phase
  epoch: number
  checks: GuardCheck[]
  forced: boolean
  dryRun: boolean
  /** On a dry run whose guard fails (and is not forced): why the real run would be refused. */
  wouldRefuse?: string
}

/**
 * Moves the phase machine, under the writers' lock so no legacy-file write interleaves: the guard
 * decides, after the check that the database serves this legacy file (a refusal is recorded with
 * its reasons, exit 4), then the copy beside the legacy file is written marked `transitioning`
 * with the new epoch, then the database, then the mark cleared. A process that dies in between
 * leaves a copy that says a transition was under way.
 */
export async function transition(request: TransitionRequest): Promise<TransitionOutcome> {
  requireReasonToForce(request)
  const clock = request.clock ?? systemClock
  const store = await PhaseStore.open(request.target)
  try {
    const decide = async (): Promise<TransitionOutcome> => {
      const state = await store.state()
      const context = {
        jsonFile: request.jsonFile,
        target: request.target,
        state,
        store,
        freeSpace: request.freeSpace,
      }
      // A copy that cannot be read is rewritten by the flip below, as it always was.
      const copy = await readPhaseCopy(request.jsonFile).catch(() => null)
      if (copy?.transitioning && copy.epoch === state.epoch && state.phase === request.to) {
        // The run that set the mark was stopped after the database moved: this rerun ends it.
        const finishing = {
          from: request.from[0]!,
          to: request.to,
          epoch: state.epoch,
          checks: [],
          forced: false,
          dryRun: request.dryRun === true,
        }
        if (request.dryRun) return finishing
        await request.afterFlip?.(context)
        await writePhaseCopy(request.jsonFile, { ...copy, transitioning: false })
        return finishing
      }
      if (!request.from.includes(state.phase)) {
        throw new RefusedError(
          `phase is ${state.phase}; ${request.to} goes from ${request.from.join(' or ')}`,
        )
      }
      const checks = [await legacyFileServed(context), ...(await request.guard(context))]
      const failed = checks.filter((check) => !check.ok)
      const binding = failed.filter((check) => check.forceable === false)
      const outcome: TransitionOutcome = {
        from: state.phase,
        to: request.to,
        epoch: state.epoch + 1,
        checks,
        forced: failed.length > 0 && request.force === true && binding.length === 0,
        dryRun: request.dryRun === true,
      }
      const refusal = (reasons: string) =>
        new RefusedError(`refused to move from ${state.phase} to ${request.to}: ${reasons}`, {
          nextStep:
            binding.length > 0
              ? '--force cannot pass this check: do what it names first.'
              : 'Resolve what the guard names, or pass --force --reason "…" to override it (recorded).',
        })
      const refused = failed.length > 0 && !outcome.forced
      // A dry run says what the real run would do, a refusal included; it records nothing.
      if (request.dryRun) {
        return refused
          ? { ...outcome, wouldRefuse: failed.map((check) => check.detail).join('; ') }
          : outcome
      }
      const facts = {
        at: clock.now(),
        reason: request.reason,
        from: state.phase,
        to: request.to,
        forced: outcome.forced,
        checks,
      }
      if (refused) {
        const reasons = failed.map((check) => check.detail).join('; ')
        await store.recordAttempt(
          transitionRecord({ ...facts, epoch: state.epoch, result: `refused: ${reasons}` }),
        )
        throw refusal(reasons)
      }
      await request.beforeFlip?.(context)
      const record = transitionRecord({ ...facts, epoch: outcome.epoch, result: 'ok' })
      await flipPhase(
        store,
        request,
        record,
        request.to === 'db-primary' ? record.at : state.cutover_at,
        { afterCommit: async () => await request.afterFlip?.(context) },
      )
      return outcome
    }
    // A dry run takes no lock: taking it writes the lock directory.
    return request.dryRun
      ? await decide()
      : await withWritersLock(request.jsonFile, decide, { timeoutMs: request.lockTimeoutMs })
  } finally {
    await store.close()
  }
}

/**
 * Moves phase and epoch where writers look for them: the copy beside the legacy file first,
 * marked `transitioning` with the new epoch (a writer that sees it waits for the lock), then the
 * database with the history row in one transaction, then the mark cleared. The copy records the
 * database, and the database the legacy file: each names the other from then on. The caller
 * holds the writers' lock.
 */
export async function flipPhase(
  store: PhaseStore,
  { jsonFile, target }: { jsonFile: string; target: DatabaseTarget },
  record: TransitionRecord,
  cutoverAt: string | null,
  whileMarked: {
    /** Work that must happen while writers see the mark (and wait), before the database moves. */
    beforeCommit?: () => Promise<void>
    /**
     * Work that must see the database moved before any writer acts on it. When it fails the
     * copy stays as it left it (marked, or moved back by the work itself) and the next writer
     * settles it from the database (settledPhaseCopy).
     */
    afterCommit?: () => Promise<void>
  } = {},
): Promise<void> {
  const database = canonicalDatabaseUrl(target)
  const copy = { phase: record.to_phase, epoch: record.epoch, updated_at: record.at, database }
  await writePhaseCopy(jsonFile, { ...copy, transitioning: true })
  try {
    await whileMarked.beforeCommit?.()
  } catch (error) {
    // The database did not move: the copy goes back to what it says. Should that write fail too
    // (a full disk), the mark stays and the next writer settles it (settledPhaseCopy); `status`
    // and `health` show it until then, so nothing is hidden.
    await store
      .state()
      .then((state) =>
        writePhaseCopy(jsonFile, {
          phase: state.phase,
          epoch: state.epoch,
          transitioning: false,
          updated_at: new Date().toISOString(),
          database,
        }),
      )
      .catch(() => {})
    throw error
  }
  await store.commitTransition(record, cutoverAt, jsonFile)
  await whileMarked.afterCommit?.()
  await writePhaseCopy(jsonFile, { ...copy, transitioning: false })
}

/**
 * The database serves this legacy file (by absolute path), or none yet: the check of every phase
 * transition, cutover and rollback. A database migrated from one file that a command then made
 * "equal" to another would lose the first one's history; a file that really moved is recorded
 * with `--force --reason`.
 */
export async function legacyFileServed({
  jsonFile,
  target,
  store,
}: Pick<GuardContext, 'jsonFile' | 'target' | 'store'>): Promise<GuardCheck> {
  return servedFileCheck(jsonFile, target, await store.servedLegacyFile())
}

/** `legacyFileServed` once the file the database serves (`served`) is known. */
export function servedFileCheck(
  jsonFile: string,
  target: DatabaseTarget,
  served: string | null,
): GuardCheck {
  const name = 'legacy file of this database'
  if (served === null) return { name, ok: true, detail: `${jsonFile} (none recorded yet)` }
  if (served === jsonFile) return { name, ok: true, detail: jsonFile }
  return {
    name,
    ok: false,
    detail: `${canonicalDatabaseUrl(target)} serves ${served}, not ${jsonFile}: name that file (--json-file ${served}), or, if it moved to ${jsonFile}, pass --force --reason "…" (recorded)`,
  }
}

/**
 * `legacyFileServed` for the commands that show no guard: refused unless forced; a forced run
 * records the move in the phase history (not on a dry run) before it goes on.
 */
export async function requireServedLegacyFile(
  store: PhaseStore,
  options: Pick<OperatorOptions, 'jsonFile' | 'target' | 'force' | 'reason' | 'dryRun' | 'clock'>,
): Promise<void> {
  const check = await legacyFileServed({ ...options, store })
  if (check.ok) return
  if (options.force !== true) throw new RefusedError(`refused: ${check.detail}`)
  if (options.dryRun) return
  const state = await store.state()
  const record = transitionRecord({
    at: (options.clock ?? systemClock).now(),
    reason: options.reason,
    from: state.phase,
    to: state.phase,
    epoch: state.epoch,
    result: `ok: the legacy file moved to ${options.jsonFile}`,
    forced: true,
    checks: [check],
  })
  await store.recordLegacyFileMove(record, options.jsonFile)
}

/**
 * One row of the phase history, stamped with who ran it. `checks` are what the guard looked at;
 * `null` when nothing was checked.
 */
export function transitionRecord(facts: {
  at: Date
  reason: string | undefined
  from: Phase
  to: Phase
  epoch: number
  result: string
  forced: boolean
  checks: GuardCheck[] | null
}): TransitionRecord {
  return {
    at: facts.at.toISOString(),
    actor: currentActor(),
    reason: facts.reason ?? null,
    from_phase: facts.from,
    to_phase: facts.to,
    epoch: facts.epoch,
    result: facts.result,
    forced: facts.forced,
    detail: facts.checks === null ? null : JSON.stringify(facts.checks),
  }
}

/** A forced transition must say why: refuses `force` without a reason before any work starts. */
export function requireReasonToForce({ force, reason }: { force?: boolean; reason?: string }) {
  if (force && (reason === undefined || reason.trim() === '')) {
    throw new UsageError('--force needs --reason "…": a forced transition is recorded with why')
  }
}

/**
 * What an operation does before it decides anything: a copy left marked by a run that was
 * stopped is settled from the database, so the rerun starts from the phase the database has and
 * leaves no mark when that is already the phase it was going to. A dry run writes nothing: it
 * leaves that to the real run.
 */
export async function settleStoppedTransition(
  options: Pick<OperatorOptions, 'jsonFile' | 'target' | 'lockTimeoutMs' | 'dryRun'>,
): Promise<void> {
  if (options.dryRun) return
  await settledPhaseCopy({
    jsonFile: options.jsonFile,
    db: options.target,
    lockTimeoutMs: options.lockTimeoutMs,
  })
}
