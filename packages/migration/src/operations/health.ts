import { stat } from 'node:fs/promises'
import { type Clock, type Phase, RefusedError, systemClock } from '@skill-metrics/core'
import { type DatabaseTarget, PhaseStore, type ValidationRecord } from '@skill-metrics/db-store'
import type { FreeSpaceReader } from '@skill-metrics/durable-file'
import {
  journalLength,
  journalPathOf,
  LOCK_STALE_MS,
  lockPathOf,
  rejectedJournalLines,
  rejectedJournalPathOf,
} from '@skill-metrics/json-tracker'
import { healthSpace } from '../phases/disk-space.js'
import { legacyFileAsDatabaseLeftIt, noForeignWriteSinceCleanValidation } from '../phases/guards.js'
import {
  DB_TRUTH_PHASES,
  JSON_TRUTH_PHASES,
  type PhaseCopy,
  readPhaseCopy,
} from '../phases/phase-copy.js'
import { type GuardCheck, servedFileCheck } from '../phases/transition.js'
import { databaseStatus, requiredPending, rerunOf } from './status.js'

export interface HealthOptions {
  jsonFile: string
  target: DatabaseTarget
  clock?: Clock
  /**
   * Set by a transition that checks health under the writers' lock right after it moved the
   * phase, before it clears the copy's `transitioning` mark: that mark is then expected.
   */
  duringTransition?: boolean
  freeSpace?: FreeSpaceReader
}

export interface HealthReport {
  /** False when a check failed; a warning leaves it true. */
  ok: boolean
  checks: GuardCheck[]
}

/** `health` fails (exit 4) when a check failed, naming each with its detail; a warning passes. */
export function healthFailure(report: HealthReport): RefusedError | null {
  const failed = report.checks.filter((check) => !check.ok)
  if (failed.length === 0) return null
  return new RefusedError(
    `unhealthy: ${failed.map((check) => `${check.name} (${check.detail})`).join('; ')}`,
  )
}

/** Phases in which a missing full validation means a step was skipped. */
const VALIDATED_PHASES: readonly Phase[] = ['migrated', 'dual-read']

type DatabaseStatus = Awaited<ReturnType<typeof databaseStatus>>

/**
 * `skill-metrics health`: every check named, failed and warned ones with why; a warning (free
 * space running short) does not make it fail. It only reads — it takes no lock, so it answers
 * while a writer or a transition holds one — and a failing check (an unreachable database
 * included) is reported, never thrown.
 */
export async function checkHealth({
  jsonFile,
  target,
  clock = systemClock,
  duringTransition = false,
  freeSpace,
}: HealthOptions): Promise<HealthReport> {
  const [database, copy] = await Promise.all([
    databaseStatus(target),
    readPhaseCopy(jsonFile).catch((error: Error) => error),
  ])
  const checks = [
    databaseReachable(database),
    legacyFileOfDatabase(jsonFile, target, database),
    schemaAtLatest(database),
    phaseConsistent(database, copy, duringTransition),
    await noStuckLock(jsonFile),
    lastValidation(database, clock),
  ]
  const phase = database.phase?.phase ?? (copy instanceof Error ? undefined : copy?.phase)
  if (phase !== undefined && JSON_TRUTH_PHASES.includes(phase))
    checks.push(await foreignWriter(jsonFile, target, database))
  if (phase !== undefined && DB_TRUTH_PHASES.includes(phase))
    checks.push(await legacyFileAsDatabaseLeftIt(jsonFile))
  checks.push(await journalDrained(jsonFile))
  checks.push(await healthSpace({ jsonFile, target, freeSpace }))
  return { ok: checks.every((check) => check.ok), checks }
}

/**
 * What waits in the group-commit journal (writers that gave up on the lock, the Python client
 * when the CLI did not answer in time) and what was kept aside as unreadable: a warning, as the
 * next write applies what waits, but a person should know.
 */
async function journalDrained(jsonFile: string): Promise<GuardCheck> {
  const name = 'group-commit journal drained'
  const [waiting, rejected] = await Promise.all([
    journalLength(jsonFile),
    rejectedJournalLines(jsonFile),
  ])
  const problems = [
    waiting > 0 &&
      `${waiting} change(s) wait in ${journalPathOf(jsonFile)}: the next write applies them, or run: skill-metrics journal apply`,
    rejected > 0 &&
      `${rejected} line(s) could not be applied; kept with their reasons in ${rejectedJournalPathOf(jsonFile)}`,
  ].filter((problem) => problem !== false)
  if (problems.length === 0) return { name, ok: true, detail: 'nothing waits' }
  return { name, ok: true, level: 'warn', detail: problems.join('; ') }
}

function notChecked(name: string, database: DatabaseStatus): GuardCheck {
  const { reachable, problem } = database.summary
  const why = !reachable
    ? 'the database is unreachable'
    : (problem ?? 'the database schema is not at the latest version')
  return { name, ok: false, detail: `not checked: ${why}` }
}

function databaseReachable({ summary }: DatabaseStatus): GuardCheck {
  return {
    name: 'database reachable',
    ok: summary.reachable,
    detail: summary.reachable ? summary.url : `${summary.url}: ${summary.problem}`,
  }
}

/** Names the legacy file by its absolute path, whether or not the database could say whose it is. */
function legacyFileOfDatabase(
  jsonFile: string,
  target: DatabaseTarget,
  database: DatabaseStatus,
): GuardCheck {
  if (database.phase !== undefined)
    return servedFileCheck(jsonFile, target, database.summary.legacyFile)
  const unchecked = notChecked('legacy file of this database', database)
  return { ...unchecked, detail: `${jsonFile}: ${unchecked.detail}` }
}

function schemaAtLatest(database: DatabaseStatus): GuardCheck {
  const name = 'schema at the latest version'
  const { reachable, schemaCurrent, schemaLatest, pendingVersions, pendingOptional } =
    database.summary
  if (!reachable) return notChecked(name, database)
  if (schemaCurrent === schemaLatest) return { name, ok: true, detail: `V${schemaCurrent}` }
  const pending = pendingVersions.map((version) => `V${version}`).join(', ')
  const of = `V${schemaCurrent} of V${schemaLatest}`
  // Only optional versions pending: they change how fast the database is, never what it
  // answers, so the check passes and says how to apply them.
  if (pendingOptional !== null && !requiredPending(database.summary)) {
    const described = pendingOptional.versions
      .map(({ version, description }) => `V${version} ${description}`)
      .join(', ')
    return {
      name,
      ok: true,
      level: 'warn',
      detail: `${of}; optional, pending: ${described}; run: ${pendingOptional.command}`,
    }
  }
  return {
    name,
    ok: false,
    detail: `${of}${pending === '' ? '' : ` (pending: ${pending}); run: skill-metrics schema migrate`}`,
  }
}

/**
 * The copy beside the file says what the database says: writers that cannot reach the database
 * go by the copy, so a disagreement sends writes to the wrong store.
 */
function phaseConsistent(
  database: DatabaseStatus,
  copy: PhaseCopy | null | Error,
  duringTransition: boolean,
): GuardCheck {
  const name = 'phase and epoch consistent'
  const authoritative = database.phase
  if (authoritative === undefined) return notChecked(name, database)
  const said = `the database says ${authoritative.phase} (epoch ${authoritative.epoch})`
  if (copy instanceof Error) return { name, ok: false, detail: copy.message }
  if (copy === null) {
    const ok = authoritative.epoch === 0
    return {
      name,
      ok,
      detail: ok
        ? 'json-only (epoch 0), no transition yet'
        : `no phase copy beside the file; ${said}; rerun the last phase command`,
    }
  }
  // A mark names the command whose rerun finishes the move it was left by.
  const rerun = `rerun ${(copy.transitioning && rerunOf(copy, database.history, authoritative.phase)) || 'the last phase command'}`
  if (copy.phase !== authoritative.phase || copy.epoch !== authoritative.epoch) {
    return {
      name,
      ok: false,
      detail: `the copy beside the file says ${copy.phase} (epoch ${copy.epoch}); ${said}; ${rerun}`,
    }
  }
  if (copy.transitioning && !duringTransition) {
    return {
      name,
      ok: false,
      detail: `the transition to ${copy.phase} (epoch ${copy.epoch}) did not finish; ${rerun}`,
    }
  }
  return { name, ok: true, detail: `${copy.phase} (epoch ${copy.epoch})` }
}

/**
 * A lock directory its holder stopped refreshing was left by a killed process. A fresh one is a
 * writer at work. Its age is measured against the real clock: the lock's own refresh uses it.
 */
async function noStuckLock(jsonFile: string): Promise<GuardCheck> {
  const name = 'no stuck lock'
  const path = lockPathOf(jsonFile)
  try {
    const age = Date.now() - (await stat(path)).mtimeMs
    return age > LOCK_STALE_MS
      ? {
          name,
          ok: false,
          detail: `${path} was last refreshed ${formatAge(age)} ago (stale after ${LOCK_STALE_MS / 1000} s): its holder was killed; the next writer takes it over`,
        }
      : { name, ok: true, detail: `held by a writer at work (refreshed ${formatAge(age)} ago)` }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return { name, ok: true, detail: 'not held' }
    return {
      name,
      ok: false,
      detail: `${path} cannot be read (${code ?? (error as Error).message})`,
    }
  }
}

function lastValidation(database: DatabaseStatus, clock: Clock): GuardCheck {
  const name = 'last validation'
  if (database.phase === undefined) return notChecked(name, database)
  const last: ValidationRecord | null = database.lastValidation
  if (last === null) {
    const needed = VALIDATED_PHASES.includes(database.phase.phase)
    return {
      name,
      ok: !needed,
      detail: needed
        ? `none recorded, yet the phase is ${database.phase.phase}; run: skill-metrics data validate`
        : 'none recorded yet',
    }
  }
  const age = formatAge(clock.now().getTime() - Date.parse(last.at))
  return {
    name,
    ok: last.clean,
    detail: last.clean
      ? `clean (${last.kind}) ${age} ago, at ${last.at}`
      : `differences found (${last.kind}) ${age} ago, at ${last.at}; run: skill-metrics data migrate, then skill-metrics data validate`,
  }
}

/**
 * While the legacy file is the truth: no foreign write since a clean validation started (the
 * guard of dual-read and cutover). It passes again once `data migrate` and a clean `data
 * validate` have taken the write in, so it never fails for a write already repaired.
 */
async function foreignWriter(
  jsonFile: string,
  target: DatabaseTarget,
  database: DatabaseStatus,
): Promise<GuardCheck> {
  const name = 'no foreign write since the last clean validation'
  if (database.phase === undefined) return notChecked(name, database)
  try {
    const store = await PhaseStore.open(target)
    try {
      return await noForeignWriteSinceCleanValidation({
        jsonFile,
        target,
        state: await store.state(),
        store,
      })
    } finally {
      await store.close()
    }
  } catch (error) {
    return { name, ok: false, detail: (error as Error).message }
  }
}

function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000))
  if (seconds < 120) return `${seconds} s`
  const minutes = Math.round(seconds / 60)
  if (minutes < 120) return `${minutes} min`
  const hours = Math.round(minutes / 60)
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} d`
}
