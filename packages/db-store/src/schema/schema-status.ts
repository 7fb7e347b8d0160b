import type { HistoryRow } from './bookkeeping.js'
import type { MigrationSource } from './migration-file.js'

export type VersionState =
  | 'applied'
  | 'pending'
  | 'failed'
  | 'checksum-mismatch'
  | 'missing-file'
  | 'out-of-order'

export interface VersionStatus {
  version: number
  description: string
  script: string
  state: VersionState
  /** Its file carries the optional directive: the store opens while it is pending. */
  optional: boolean
  /** `baseline` when the version was adopted, not run. */
  kind?: 'migrate' | 'baseline'
  appliedAt?: string
  migrationTimeMs?: number | null
  /** For checksum-mismatch: which part changed, with the recorded and the current sums. */
  drift?: Array<{ part: 'forward' | 'rollback'; applied: string | null; onDisk: string | null }>
  /** For failed: the statement (1-based) and the database's error. */
  failure?: { statement: number | null; statementsApplied: number | null; error: string | null }
}

export interface PlannedStep {
  version: number
  description: string
  script: string
  statements: string[]
  transactional: boolean
}

export interface StepResult extends PlannedStep {
  timeMs: number
}

export interface SchemaStatus {
  database: string
  dialect: 'sqlite' | 'postgres'
  migrationsDir: string
  /** The highest version applied successfully (0 for none). */
  current: number
  /** The highest version on disk. */
  latest: number
  /**
   * The highest version on disk that is not optional: the store and the phase machine open once
   * the schema has it. Optional versions above it may be pending.
   */
  required: number
  versions: VersionStatus[]
}

/** Where a status was taken, as status output names it. */
export type StatusSource = Pick<SchemaStatus, 'database' | 'dialect' | 'migrationsDir'>

/** Each version recorded or on disk, classified by comparing the history with the files. */
export function statusOf(
  history: HistoryRow[],
  sources: MigrationSource[],
  where: StatusSource,
): SchemaStatus {
  const rows = new Map(history.map((row) => [row.version, row]))
  const files = new Map(sources.map((source) => [source.version, source]))
  const current = Math.max(0, ...history.filter((row) => row.success).map((row) => row.version))
  const versions = [...new Set([...rows.keys(), ...files.keys()])].sort((a, b) => a - b)
  return {
    ...where,
    current,
    latest: Math.max(0, ...sources.map((source) => source.version)),
    required: Math.max(
      0,
      ...sources.filter((source) => !source.optional).map((source) => source.version),
    ),
    versions: versions.map((version) =>
      versionStatus(rows.get(version), files.get(version), current),
    ),
  }
}

function versionStatus(
  row: HistoryRow | undefined,
  source: MigrationSource | undefined,
  current: number,
): VersionStatus {
  const base = {
    version: row?.version ?? source!.version,
    description: source?.description ?? row!.description,
    script: source?.scriptName ?? row!.script,
    optional: source?.optional ?? false,
  }
  if (row === undefined) {
    return { ...base, state: source!.version < current ? 'out-of-order' : 'pending' }
  }
  const recorded = {
    kind: row.kind,
    appliedAt: row.applied_at,
    migrationTimeMs: row.migration_time_ms,
  }
  if (!row.success) {
    return {
      ...base,
      ...recorded,
      state: 'failed',
      failure: {
        statement: row.failed_statement,
        statementsApplied: row.statements_applied,
        error: row.error,
      },
    }
  }
  if (source === undefined) return { ...base, ...recorded, state: 'missing-file' }
  const drift: NonNullable<VersionStatus['drift']> = []
  if (row.checksum !== source.forwardChecksum) {
    drift.push({ part: 'forward', applied: row.checksum, onDisk: source.forwardChecksum })
  }
  if (row.rollback_checksum !== source.rollbackChecksum) {
    drift.push({
      part: 'rollback',
      applied: row.rollback_checksum,
      onDisk: source.rollbackChecksum,
    })
  }
  return drift.length > 0
    ? { ...base, ...recorded, state: 'checksum-mismatch', drift }
    : { ...base, ...recorded, state: 'applied' }
}
