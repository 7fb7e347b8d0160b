import { CompleterAlreadyCalledError } from './errors.js'
import type { LegacyInvocation, SkillMetrics } from './legacy.js'
import type { Summary } from './summary.js'

export interface TrackOptions {
  workflowPath?: string | null
  /** Recorded with the invocation where the store keeps sessions; the legacy file has no place for it. */
  sessionId?: string
  /** The naive local start time; defaults to the tracker's clock. */
  invokedAt?: string
}

export interface CompleteOptions {
  completed?: boolean
  followUpActions?: string[]
  errorType?: string | null
  /** The duration to record; by default the time since `invoked_at` on the tracker's clock. */
  durationSeconds?: number
}

/** Finishes one invocation. A second call throws `CompleterAlreadyCalledError` and changes nothing. */
export type Completer = (options?: CompleteOptions) => Promise<void>

/**
 * A completer that counts once: a failed attempt changed nothing and may be retried, a call after
 * one that succeeded (or while one runs) throws `CompleterAlreadyCalledError`.
 */
export function completerOnce(
  started: Pick<LegacyInvocation, 'skill_name' | 'invoked_at'>,
  finish: (options: CompleteOptions) => Promise<void>,
): Completer {
  let state: 'open' | 'running' | 'done' = 'open'
  return async (options: CompleteOptions = {}) => {
    if (state !== 'open')
      throw new CompleterAlreadyCalledError(started.skill_name, started.invoked_at)
    state = 'running'
    try {
      await finish(options)
      state = 'done'
    } catch (error) {
      state = 'open'
      throw error
    }
  }
}

/**
 * A started invocation as the tracker that started it knows it: enough for the tracker of a later
 * phase to finish it when the phase moved between its start and its completion.
 */
export interface StartedRecord {
  id: string
  /** Its position in the file's order when it started. */
  seq: number
  /** The pending record. */
  invocation: LegacyInvocation
  sessionId: string | null
}

/** What every tracker implementation offers, with the same behaviour (ARCHITECTURE §3). */
export interface MetricsTracker {
  trackInvocation(skillName: string, options?: TrackOptions): Promise<Completer>
  getSkillMetrics(skillName: string): Promise<SkillMetrics | null>
  getAllMetrics(): Promise<Map<string, SkillMetrics>>
  getSummary(): Promise<Summary>
  generateReport(): Promise<string>
  /** Writes the legacy export layout: summary, skills, invocations, exported_at. */
  exportMetrics(outputFile: string): Promise<void>
  close(): Promise<void>
}

/** Phase names, stored, printed and accepted exactly so (ARCHITECTURE §5). */
export const PHASES = [
  'json-only',
  'dual-write',
  'migrated',
  'dual-read',
  'db-primary',
  'cleaned',
] as const
export type Phase = (typeof PHASES)[number]

/** The completion a finished legacy record carries, as a tracker's completer takes it. */
export const completionOptionsOf = (record: LegacyInvocation): CompleteOptions => ({
  completed: record.completed,
  followUpActions: record.follow_up_actions,
  errorType: record.error_type,
  durationSeconds: record.duration_seconds ?? undefined,
})
