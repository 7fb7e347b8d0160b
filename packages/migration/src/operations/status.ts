import { type Phase, SkillMetricsError } from '@skill-metrics/core'
import {
  type DatabaseTarget,
  PhaseStore,
  SchemaRunner,
  type TransitionRecord,
  type ValidationRecord,
} from '@skill-metrics/db-store'
import {
  type ForeignWrite,
  journalLength,
  journalPathOf,
  noteForeignWrite,
  readWriterState,
  rejectedJournalLines,
  scanThroughTornSaves,
} from '@skill-metrics/json-tracker'
import { type ForeignRepair, readForeignRepairs } from '../backfill/foreign-repairs.js'
import { legacyFileAsDatabaseLeftIt } from '../phases/guards.js'
import { DB_TRUTH_PHASES, type PhaseCopy, readPhaseCopy } from '../phases/phase-copy.js'
import type { GuardCheck } from '../phases/transition.js'
import {
  type DualReadMismatch,
  readMismatches,
  unresolvedMismatches,
} from '../trackers/dual-read-mismatches.js'
import { readMisses } from '../trackers/dual-write-misses.js'
import { legacyArchiveOf } from './cleanup.js'

export interface MigrationStatus {
  phase: Phase
  epoch: number
  /** Where the phase was read: the database (authoritative) or the copy beside the file. */
  phaseSource: 'database' | 'copy' | 'default'
  /** The copy says a transition was under way and did not finish. */
  transitioning: boolean
  /**
   * That transition: the phase it was moving to and the command whose rerun finishes it (null
   * when the database cannot tell where it came from).
   */
  unfinishedTransition: { to: Phase; command: string | null } | null
  history: TransitionRecord[]
  legacy: {
    file: string
    exists: boolean
    valid: boolean
    invocations: number | null
    skills: number | null
    bytes: number | null
    problem: string | null
    foreignWrites: ForeignWrite[]
    /** When the file is gone: the newest archive cleanup left of it (null otherwise). */
    archive: string | null
    /**
     * In db-primary and cleaned: whether the file is as cutover (or the last import) left it;
     * a failed check names the change another writer made. Null while the file is the truth.
     */
    afterCutover: GuardCheck | null
  }
  /** What `data migrate` and `rollback` put back or took in after foreign writes (the last five shown). */
  foreignRepairs: { restored: number; imported: number; last: ForeignRepair[] }
  database: {
    url: string
    reachable: boolean
    schemaCurrent: number | null
    schemaLatest: number | null
    pendingVersions: number[]
    /**
     * The pending versions marked optional (they only add or drop indexes): the store opens and
     * writers run without them; `command` applies them. Null when none is pending.
     */
    pendingOptional: {
      versions: Array<{ version: number; description: string }>
      command: string
    } | null
    invocations: number | null
    skills: number | null
    /** The legacy file (absolute path) the database serves; null before the first transition. */
    legacyFile: string | null
    problem: string | null
  }
  lastValidation: ValidationRecord | null
  /** Database writes dual-write could not make, recorded beside the legacy file. */
  dualWriteMisses: number
  /**
   * The group-commit journal beside the legacy file (ARCHITECTURE §5): changes waiting for the
   * next writer to apply them, and lines kept aside as unreadable (with their reasons).
   */
  journal: { waiting: number; rejected: number; file: string }
  /**
   * What dual-read recorded beside the legacy file. Unresolved: recorded after the last clean
   * validation (all of them while the database is unreachable); `unresolved` counts the
   * mismatches, which keep cutover closed, `errors` the reads the database failed to answer.
   */
  dualReadMismatches: {
    total: number
    unresolved: number
    errors: number
    /** The most recent unresolved entries, up to five, oldest first. */
    last: DualReadMismatch[]
  }
}

/** How many unresolved dual-read entries `status` shows. */
const SHOWN_MISMATCHES = 5

/** Everything `skill-metrics status` shows; it reads, never writes, and never fails on one side. */
export async function migrationStatus(
  jsonFile: string,
  target: DatabaseTarget,
): Promise<MigrationStatus> {
  const [legacy, database, copy, misses, mismatches, repairs, waiting, rejected] =
    await Promise.all([
      legacyStatus(jsonFile),
      databaseStatus(target),
      readPhaseCopy(jsonFile).catch(() => null),
      readMisses(jsonFile),
      readMismatches(jsonFile),
      readForeignRepairs(jsonFile),
      journalLength(jsonFile),
      rejectedJournalLines(jsonFile),
    ])
  const fromDatabase = database.phase
  const phase = fromDatabase?.phase ?? copy?.phase ?? 'json-only'
  if (DB_TRUTH_PHASES.includes(phase))
    legacy.afterCutover = await legacyFileAsDatabaseLeftIt(jsonFile)
  const unresolved = unresolvedMismatches(mismatches, database.lastValidation)
  const unresolvedMismatchCount = unresolved.filter((entry) => entry.kind === 'mismatch').length
  return {
    phase,
    epoch: fromDatabase?.epoch ?? copy?.epoch ?? 0,
    phaseSource: fromDatabase !== undefined ? 'database' : copy !== null ? 'copy' : 'default',
    transitioning: copy?.transitioning ?? false,
    unfinishedTransition:
      copy?.transitioning === true
        ? { to: copy.phase, command: rerunOf(copy, database.history, fromDatabase?.phase) }
        : null,
    history: database.history,
    legacy,
    database: database.summary,
    lastValidation: database.lastValidation,
    dualWriteMisses: misses.length,
    journal: { waiting, rejected, file: journalPathOf(jsonFile) },
    foreignRepairs: {
      restored: repairs.filter((repair) => repair.kind === 'restored').length,
      imported: repairs.filter((repair) => repair.kind === 'imported').length,
      last: repairs.slice(-SHOWN_MISMATCHES),
    },
    dualReadMismatches: {
      total: mismatches.length,
      unresolved: unresolvedMismatchCount,
      errors: unresolved.length - unresolvedMismatchCount,
      last: unresolved.slice(-SHOWN_MISMATCHES),
    },
  }
}

async function legacyStatus(file: string): Promise<MigrationStatus['legacy']> {
  const writerState = await readWriterState(file).catch(() => null)
  const foreignWrites = writerState?.foreign_writes ?? []
  try {
    const scan = await scanThroughTornSaves(file)
    // A foreign write that no write of ours has noticed yet shows too.
    const noticed = noteForeignWrite(
      writerState,
      scan.fingerprint,
      new Date().toISOString(),
      scan.modifiedAt,
    )
    return {
      file,
      exists: scan.exists,
      valid: true,
      invocations: scan.invocationCount,
      skills: scan.skills.size,
      bytes: scan.fingerprint?.size ?? null,
      problem: null,
      foreignWrites: noticed?.foreign_writes ?? foreignWrites,
      archive: scan.exists ? null : await legacyArchiveOf(file),
      afterCutover: null,
    }
  } catch (error) {
    if (!(error instanceof SkillMetricsError)) throw error
    return {
      file,
      exists: true,
      valid: false,
      invocations: null,
      skills: null,
      bytes: null,
      problem: error.message,
      foreignWrites,
      archive: null,
      afterCutover: null,
    }
  }
}

/** The database side of `status` (and of `health`); an unreachable database is a `problem`. */
export async function databaseStatus(target: DatabaseTarget) {
  const summary: MigrationStatus['database'] = {
    url: target.display,
    reachable: false,
    schemaCurrent: null,
    schemaLatest: null,
    pendingVersions: [],
    pendingOptional: null,
    invocations: null,
    skills: null,
    legacyFile: null,
    problem: null,
  }
  let phase: { phase: Phase; epoch: number } | undefined
  let history: TransitionRecord[] = []
  let lastValidation: ValidationRecord | null = null
  let validations: ValidationRecord[] = []
  try {
    const runner = await SchemaRunner.open({ target, readOnly: true })
    try {
      const schema = await runner.status()
      summary.reachable = true
      summary.schemaCurrent = schema.current
      summary.schemaLatest = schema.latest
      const pending = schema.versions.filter((version) => version.state === 'pending')
      summary.pendingVersions = pending.map((version) => version.version)
      const optional = pending.filter((version) => version.optional)
      if (optional.length > 0) {
        summary.pendingOptional = {
          versions: optional.map(({ version, description }) => ({ version, description })),
          command: MIGRATE_COMMAND,
        }
      }
      if (schema.current >= 1) {
        const counts = await runner.count(['skill_invocation', 'skill_metrics'])
        summary.invocations = counts[0] ?? null
        summary.skills = counts[1] ?? null
      }
    } finally {
      await runner.close()
    }
    const { schemaCurrent, schemaLatest } = summary
    const opens = schemaCurrent !== null && schemaLatest !== null && schemaCurrent <= schemaLatest
    if (opens && !requiredPending(summary)) {
      const store = await PhaseStore.open(target)
      try {
        const state = await store.state()
        phase = { phase: state.phase, epoch: state.epoch }
        history = await store.history()
        validations = await store.validations(SHOWN_VALIDATIONS)
        lastValidation = validations[0] ?? null
        summary.legacyFile = await store.servedLegacyFile()
      } finally {
        await store.close()
      }
    }
  } catch (error) {
    summary.problem = (error as Error).message
  }
  return { summary, phase, history, lastValidation, validations }
}

/** The validation runs `databaseStatus` reads, newest first. */
const SHOWN_VALIDATIONS = 5

const MIGRATE_COMMAND = 'skill-metrics schema migrate'

/** A pending version that is not optional: the store and the phase machine refuse to open. */
export function requiredPending(summary: MigrationStatus['database']): boolean {
  return summary.pendingVersions.length > (summary.pendingOptional?.versions.length ?? 0)
}

/** The command that moves things forward from here, for the `Next` line of `status`. */
export function nextCommand(status: MigrationStatus): string | null {
  if (!status.legacy.valid) return `fix ${status.legacy.file} (see above)`
  if (!status.database.reachable) return 'make the database reachable (see above)'
  const served = status.database.legacyFile
  if (served !== null && served !== status.legacy.file) {
    return `name the legacy file this database serves (--json-file ${served}), or, if it moved here, pass --force --reason "…" to the next command`
  }
  if (requiredPending(status.database)) return MIGRATE_COMMAND
  const unfinished = status.unfinishedTransition
  if (unfinished !== null) {
    return `${unfinished.command ?? 'rerun the command that moved the phase'} (the move to ${unfinished.to} did not finish: a rerun finishes it)`
  }
  switch (status.phase) {
    case 'json-only':
      return 'skill-metrics phase dual-write'
    case 'dual-write':
      return 'skill-metrics data migrate'
    case 'migrated':
      return 'skill-metrics phase dual-read'
    case 'dual-read':
      return status.dualReadMismatches.unresolved > 0
        ? 'skill-metrics data migrate, then skill-metrics data validate'
        : 'skill-metrics cutover'
    case 'db-primary':
      return status.legacy.afterCutover?.ok === false
        ? 'skill-metrics data migrate (imports what another writer added to the legacy file)'
        : 'skill-metrics cleanup (after the retention period)'
    case 'cleaned':
      return status.legacy.afterCutover?.ok === false
        ? 'skill-metrics data migrate (imports what another writer added to the legacy file)'
        : null
  }
}

/**
 * The command that set a mark still on the copy. Where the phase came from decides between a
 * step forward and a rollback to the same phase: the database's phase while it has not moved
 * yet, or the history row of the move when it has (only the mark was left).
 */
export function rerunOf(
  copy: PhaseCopy,
  history: TransitionRecord[],
  databasePhase: Phase | undefined,
): string | null {
  const moved = history.find(
    (row) => row.epoch === copy.epoch && row.to_phase === copy.phase && row.result === 'ok',
  )
  const from = moved?.from_phase ?? databasePhase
  if (from === undefined) return null
  switch (copy.phase) {
    case 'json-only':
      return 'skill-metrics rollback --to json-only'
    case 'dual-write':
      return from === 'json-only'
        ? 'skill-metrics phase dual-write'
        : 'skill-metrics rollback --to dual-write'
    case 'migrated':
      return 'skill-metrics data validate'
    case 'dual-read':
      // Cutover moves back to dual-read when its health check fails after the flip.
      return from === 'db-primary' ? 'skill-metrics cutover' : 'skill-metrics phase dual-read'
    case 'db-primary':
      return 'skill-metrics cutover'
    case 'cleaned':
      return 'skill-metrics cleanup'
  }
}
