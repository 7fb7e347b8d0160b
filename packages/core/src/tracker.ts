import type { SkillMetrics } from './legacy.js'
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
}

/** Finishes one invocation. A second call throws `CompleterAlreadyCalledError` and changes nothing. */
export type Completer = (options?: CompleteOptions) => Promise<void>

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
