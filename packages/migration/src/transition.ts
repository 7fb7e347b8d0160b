import { type Clock, type Phase, RefusedError, systemClock, UsageError } from '@skill-metrics/core'
import type { DatabaseTarget } from '@skill-metrics/db-store'
import { withWritersLock } from '@skill-metrics/json-tracker'
import { currentActor } from './actor.js'
import { writePhaseCopy } from './phase-copy.js'
import { type PhaseState, PhaseStore } from './phase-store.js'

/** One condition a transition's guard checked. */
export interface GuardCheck {
  name: string
  ok: boolean
  detail: string
}

export interface GuardContext {
  jsonFile: string
  target: DatabaseTarget
  state: PhaseState
  store: PhaseStore
}

export type Guard = (context: GuardContext) => Promise<GuardCheck[]>

export interface TransitionRequest {
  jsonFile: string
  target: DatabaseTarget
  to: Phase
  /** The phases this transition may start from (ARCHITECTURE §5). */
  from: readonly Phase[]
  guard: Guard
  /** Passes a failed guard; needs a reason, which is recorded. */
  force?: boolean
  reason?: string
  dryRun?: boolean
  lockTimeoutMs?: number
  clock?: Clock
}

export interface TransitionOutcome {
  from: Phase
  to: Phase
  epoch: number
  checks: GuardCheck[]
  forced: boolean
  dryRun: boolean
}

/**
 * Moves the phase machine, under the writers' lock so no legacy-file write interleaves: the guard
 * decides (a refusal is recorded with its reasons, exit 4), then the copy beside the legacy file
 * is written marked `transitioning` with the new epoch, then the database, then the mark cleared.
 * A process that dies in between leaves a copy that says a transition was under way.
 */
export async function transition(request: TransitionRequest): Promise<TransitionOutcome> {
  requireReasonToForce(request)
  const clock = request.clock ?? systemClock
  const store = await PhaseStore.open(request.target)
  try {
    const decide = async (): Promise<TransitionOutcome> => {
      const state = await store.state()
      if (!request.from.includes(state.phase)) {
        throw new RefusedError(
          `phase is ${state.phase}; ${request.to} goes from ${request.from.join(' or ')}`,
        )
      }
      const checks = await request.guard({
        jsonFile: request.jsonFile,
        target: request.target,
        state,
        store,
      })
      const failed = checks.filter((check) => !check.ok)
      const outcome: TransitionOutcome = {
        from: state.phase,
        to: request.to,
        epoch: state.epoch + 1,
        checks,
        forced: failed.length > 0 && request.force === true,
        dryRun: request.dryRun === true,
      }
      if (request.dryRun) return outcome
      const record = {
        at: clock.now().toISOString(),
        actor: currentActor(),
        reason: request.reason ?? null,
        from_phase: state.phase,
        to_phase: request.to,
        epoch: outcome.epoch,
        forced: outcome.forced,
        detail: JSON.stringify(checks),
      }
      if (failed.length > 0 && !request.force) {
        const reasons = failed.map((check) => check.detail).join('; ')
        await store.recordAttempt({ ...record, epoch: state.epoch, result: `refused: ${reasons}` })
        throw new RefusedError(`refused to move from ${state.phase} to ${request.to}: ${reasons}`, {
          nextStep:
            'Resolve what the guard names, or pass --force --reason "…" to override it (recorded).',
        })
      }
      const copy = { phase: request.to, epoch: outcome.epoch, updated_at: record.at }
      await writePhaseCopy(request.jsonFile, { ...copy, transitioning: true })
      await store.commitTransition(
        { ...record, result: 'ok' },
        request.to === 'db-primary' ? record.at : state.cutover_at,
      )
      await writePhaseCopy(request.jsonFile, { ...copy, transitioning: false })
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

/** A forced transition must say why: refuses `force` without a reason before any work starts. */
export function requireReasonToForce({ force, reason }: { force?: boolean; reason?: string }) {
  if (force && (reason === undefined || reason.trim() === '')) {
    throw new UsageError('--force needs --reason "…": a forced transition is recorded with why')
  }
}
