import { stat } from 'node:fs/promises'
import { SkillMetricsError } from '@skill-metrics/core'
import type { ValidationRecord } from '@skill-metrics/db-store'
import {
  foreignWriteTime,
  legacyFileFingerprint,
  readWriterState,
  scanThroughTornSaves,
} from '@skill-metrics/json-tracker'
import {
  describeMismatch,
  readMismatches,
  unresolvedMismatches,
} from '../trackers/dual-read-mismatches.js'
import { readMisses } from '../trackers/dual-write-misses.js'
import { dualWriteSpace } from './disk-space.js'
import type { Guard, GuardCheck, GuardContext } from './transition.js'

/**
 * The legacy file, named by its absolute path, parses and keeps the legacy schema. A file that
 * does not exist passes only with `allowEmpty` (recorded as a warning): a mistyped `--json-file`,
 * or a command run from the wrong folder, would otherwise migrate nothing, and every later step
 * would succeed.
 */
export async function legacyFileValid(
  { jsonFile }: Pick<GuardContext, 'jsonFile'>,
  { allowEmpty = false }: { allowEmpty?: boolean } = {},
): Promise<GuardCheck> {
  const name = 'legacy file valid'
  try {
    const scan = await scanThroughTornSaves(jsonFile)
    if (scan.exists) {
      return {
        name,
        ok: true,
        detail: `${jsonFile}: ${scan.invocationCount} invocations, ${scan.skills.size} skills`,
      }
    }
    return allowEmpty
      ? {
          name,
          ok: true,
          level: 'warn',
          detail: `no file at ${jsonFile}: migrating an empty tracker (--allow-empty)`,
        }
      : {
          name,
          ok: false,
          forceable: false,
          detail: `no file at ${jsonFile}: check --json-file and the current directory, or pass --allow-empty to start from an empty tracker`,
        }
  } catch (error) {
    if (!(error instanceof SkillMetricsError)) throw error
    return { name, ok: false, detail: error.message }
  }
}

/**
 * Whether the file's bytes are ones our last write accepted (hashed, not parsed: the other guard
 * parses it), and when it was last modified.
 */
async function fileAsWeLeftIt(jsonFile: string) {
  const [current, modified] = await Promise.all([
    legacyFileFingerprint(jsonFile),
    stat(jsonFile).then(
      (info) => info.mtime.toISOString(),
      () => null,
    ),
  ])
  const writerState = await readWriterState(jsonFile)
  const unabsorbed =
    writerState !== null &&
    current !== null &&
    !writerState.accepted.some((accepted) => accepted.sha256 === current.sha256)
  return { writerState, unabsorbed, current, modified }
}

/**
 * The foreign writes to the file: those our writers recorded, and the file's present bytes when
 * no write of ours accepted them (a foreign save nothing has noticed yet), each dated by the
 * file's modification time. Our writers write the state, then the file, and this runs outside
 * their lock: a write that lands between reading the state and hashing the file looks foreign.
 * A foreign write stays foreign on a second look; ours is then accepted by the state it wrote first.
 */
async function foreignWrites(jsonFile: string) {
  let seen = await fileAsWeLeftIt(jsonFile)
  if (seen.unabsorbed) seen = await fileAsWeLeftIt(jsonFile)
  const times = (seen.writerState?.foreign_writes ?? []).map(foreignWriteTime)
  if (seen.unabsorbed) times.push(seen.modified ?? new Date().toISOString())
  return { recorded: seen.writerState !== null, unabsorbed: seen.unabsorbed, times: times.sort() }
}

const MOVE_THE_WRITER =
  "stop the writer that is not skill-metrics (the original Python tracker takes no lock) or move it to skill-metrics' tracker (README: foreign writers)"

/**
 * Phase 1's foreign-writer check: the file is as our last write left it, and no foreign write
 * landed since the phase last changed. There is no database copy yet to prove the file whole,
 * so `--force --reason` is the way past it once the other writer is stopped or moved.
 */
export async function noForeignWriter({ jsonFile, state }: GuardContext): Promise<GuardCheck> {
  const name = 'no foreign writer'
  const { recorded, unabsorbed, times } = await foreignWrites(jsonFile)
  if (!recorded) return { name, ok: true, detail: 'no write by skill-metrics recorded yet' }
  if (unabsorbed) {
    return {
      name,
      ok: false,
      detail: `${jsonFile} was changed by a writer that is not skill-metrics since our last write (at ${times.at(-1)}); ${MOVE_THE_WRITER}, then pass --force --reason "…"`,
    }
  }
  const since = times.filter((time) => state.changed_at === null || time >= state.changed_at)
  if (since.length > 0) {
    return {
      name,
      ok: false,
      detail: `${since.length} foreign write(s) to ${jsonFile} since ${state.changed_at ?? 'the start'}, the last at ${since.at(-1)}; ${MOVE_THE_WRITER}, then pass --force --reason "…"`,
    }
  }
  return { name, ok: true, detail: 'none recorded' }
}

/**
 * When a recorded validation started (`recordValidation` keeps it in the summary); null for one
 * recorded before that was kept.
 */
export function validationStartedAt(record: ValidationRecord): string | null {
  try {
    const { started_at } = JSON.parse(record.summary) as { started_at?: unknown }
    return typeof started_at === 'string' ? started_at : null
  } catch {
    return null
  }
}

/**
 * The foreign-writer check of `phase dual-read` and `cutover`: every foreign write (dated by the
 * file's modification time) landed before a full validation that then found the database equal
 * to the file. That validation read the foreign records, so the database holds them; nothing
 * since has been written behind the lock.
 */
export async function noForeignWriteSinceCleanValidation({
  jsonFile,
  store,
}: GuardContext): Promise<GuardCheck> {
  const name = 'no foreign write since the last clean validation'
  const { times } = await foreignWrites(jsonFile)
  const lastWrite = times.at(-1)
  if (lastWrite === undefined) return { name, ok: true, detail: 'none recorded' }
  const last = await store.lastValidation()
  const started = last === null ? null : validationStartedAt(last)
  if (last?.clean === true && started !== null && started > lastWrite) {
    return {
      name,
      ok: true,
      detail: `${times.length} foreign write(s), the last at ${lastWrite}, before the clean validation that started at ${started}`,
    }
  }
  return {
    name,
    ok: false,
    detail: `${times.length} foreign write(s) to ${jsonFile}, the last at ${lastWrite} (the file's modification time); this opens once a full validation that starts after it finds no difference: ${MOVE_THE_WRITER}, then run: skill-metrics data migrate, then skill-metrics data validate (or pass --force --reason "…")`,
  }
}

/**
 * After cutover the database is the truth and nothing of ours writes the legacy file: bytes other
 * than those cutover (or the last import) accepted were written by another writer, and what it
 * added is not in the database until `data migrate` imports it. After cleanup removed the file,
 * a file there at all was re-created by one.
 */
export async function legacyFileAsDatabaseLeftIt(jsonFile: string): Promise<GuardCheck> {
  const name = 'legacy file unchanged since cutover'
  const { writerState, unabsorbed, current, modified } = await fileAsWeLeftIt(jsonFile)
  const importIt = 'run: skill-metrics data migrate (imports what it added into the database)'
  if (current === null) return { name, ok: true, detail: `no file at ${jsonFile}` }
  if (writerState === null) {
    return {
      name,
      ok: false,
      forceable: false,
      detail: `${jsonFile} was re-created by a writer that is not skill-metrics (modified at ${modified}); ${MOVE_THE_WRITER}, then ${importIt}`,
    }
  }
  if (unabsorbed) {
    return {
      name,
      ok: false,
      forceable: false,
      detail: `${jsonFile} was changed by a writer that is not skill-metrics at ${modified}, after cutover; ${MOVE_THE_WRITER}, then ${importIt}`,
    }
  }
  return { name, ok: true, detail: 'as cutover or the last import left it' }
}

/**
 * Phase 1's guard: schema at the latest version (PhaseStore.open checks it), the file there
 * (or `allowEmpty`) and valid, no foreign writer, room for what dual-write writes.
 */
export function dualWriteGuard(options: { allowEmpty?: boolean } = {}): Guard {
  return async (context) => [
    await legacyFileValid(context, options),
    await noForeignWriter(context),
    await dualWriteSpace(context),
  ]
}

/** No database write that dual-write missed is waiting for repair. */
export async function noUnrepairedMisses({ jsonFile }: GuardContext): Promise<GuardCheck> {
  const misses = await readMisses(jsonFile)
  return {
    name: 'no unrepaired dual-write miss',
    ok: misses.length === 0,
    detail:
      misses.length === 0
        ? 'none'
        : `${misses.length} database write(s) missed during dual-write; run: skill-metrics data migrate`,
  }
}

/** The last full validation found the database equal to the file. */
export async function lastValidationClean({ store }: GuardContext): Promise<GuardCheck> {
  const last = await store.lastValidation()
  return {
    name: 'last full validation clean',
    ok: last?.clean === true,
    detail:
      last === null
        ? 'no validation yet'
        : last.clean
          ? `clean at ${last.at}`
          : `differences found at ${last.at}`,
  }
}

/** The guard to `migrated`: a clean full validation and nothing left to repair. */
export async function migratedGuard(context: GuardContext): Promise<GuardCheck[]> {
  return [await lastValidationClean(context), await noUnrepairedMisses(context)]
}

/**
 * No database write that dual-write missed since the last full validation: that validation proved
 * the database equal to the file, and writers go on dual-writing after it.
 */
export async function noMissSinceLastValidation({
  jsonFile,
  store,
}: GuardContext): Promise<GuardCheck> {
  const last = await store.lastValidation()
  const since = (await readMisses(jsonFile)).filter((miss) => last === null || miss.at > last.at)
  return {
    name: 'no dual-write miss since the last validation',
    ok: since.length === 0,
    detail:
      since.length === 0
        ? 'none'
        : `${since.length} database write(s) missed since ${last?.at ?? 'the start'}, the last at ${since.at(-1)!.at}; run: skill-metrics data migrate, then skill-metrics data validate`,
  }
}

/** Phase 3's guard: the database proved equal to the file, nothing missed or written behind the lock since. */
export async function dualReadGuard(context: GuardContext): Promise<GuardCheck[]> {
  return [
    await lastValidationClean(context),
    await noMissSinceLastValidation(context),
    await noForeignWriteSinceCleanValidation(context),
  ]
}

/**
 * No dual-read mismatch that a clean full validation has not covered since. Database errors seen
 * by dual-read do not count here: they say nothing about the data, and cutover checks the
 * database's health itself.
 */
export async function noUnresolvedMismatches({
  jsonFile,
  store,
}: GuardContext): Promise<GuardCheck> {
  const unresolved = unresolvedMismatches(
    await readMismatches(jsonFile),
    await store.lastValidation(),
  ).filter((mismatch) => mismatch.kind === 'mismatch')
  const last = unresolved.at(-1)
  return {
    name: 'no unresolved dual-read mismatch',
    ok: last === undefined,
    detail:
      last === undefined
        ? 'none'
        : `${unresolved.length} dual-read mismatch(es) since the last clean validation, the last at ${last.at}: ${describeMismatch(last)}; run: skill-metrics data migrate, then skill-metrics data validate`,
  }
}
