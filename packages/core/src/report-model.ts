/**
 * What `report --html` shows, gathered from either store in one streaming pass and handed to the
 * renderer (@skill-metrics/report-html), which knows nothing of files or databases.
 */
export interface ReportModel {
  /** The legacy file or database the numbers come from, as the user named it. */
  title: string
  /** When the report was made (ISO 8601, UTC). */
  generatedAt: string
  source: 'json' | 'db'
  totals: { invocations: number; completed: number; abandoned: number; skills: number }
  /** In the store's skill order (the legacy file's `skills` order). */
  skills: ReportSkill[]
  /** Invocations per day of `invoked_at` (its first ten characters), oldest first, no gaps filled. */
  perDay: ReportDay[]
  /** Summed over every skill, most used first (ties by name), at most `REPORT_TOP` each. */
  workflowPaths: Array<[string, number]>
  followUpActions: Array<[string, number]>
  /** Null while no migration was ever started (no phase history). */
  migration: ReportMigration | null
}

export interface ReportSkill {
  name: string
  /** `total_invocations`, `completed_invocations`, `abandoned_invocations` as `metrics` gives them. */
  invocations: number
  completed: number
  abandoned: number
  /** In percent, as `metrics` gives it. */
  completionRate: number
  /** Exact percentiles of the completed runs' durations in seconds; null without any. */
  p50: number | null
  p95: number | null
  p99: number | null
  /** The error types of its abandoned runs (completer ran, `completed` false), most first. */
  errors: Array<[string, number]>
}

export interface ReportDay {
  /** YYYY-MM-DD */
  day: string
  completed: number
  abandoned: number
}

export interface ReportMigration {
  phase: string
  epoch: number
  history: Array<{
    at: string
    from: string
    to: string
    actor: string | null
    forced: boolean
    reason: string | null
  }>
  /** Newest first. */
  validations: Array<{ at: string; kind: string; clean: boolean; summary: string }>
  dualWriteMisses: number
  dualReadMismatches: number
  foreignWrites: Array<{ detectedAt: string; modifiedAt: string | null }>
  /** Backups of the legacy file (paths). */
  backups: string[]
  /** The archive cleanup left, or null. */
  archive: string | null
}

/** How many workflow paths and follow-up actions the report lists. */
export const REPORT_TOP = 15
