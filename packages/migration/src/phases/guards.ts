import { SkillMetricsError } from '@skill-metrics/core'
import { fingerprintFile } from '@skill-metrics/durable-file'
import { readWriterState, scanLegacyFile } from '@skill-metrics/json-tracker'
import {
  describeMismatch,
  readMismatches,
  unresolvedMismatches,
} from '../trackers/dual-read-mismatches.js'
import { readMisses } from '../trackers/dual-write-misses.js'
import { dualWriteSpace } from './disk-space.js'
import type { GuardCheck, GuardContext } from './transition.js'

/** The legacy file parses and keeps the legacy schema (a missing file is an empty tracker). */
export async function legacyFileValid({ jsonFile }: GuardContext): Promise<GuardCheck> {
  try {
    const scan = await scanLegacyFile(jsonFile)
    return {
      name: 'legacy file valid',
      ok: true,
      detail: scan.exists
        ? `${scan.invocationCount} invocations, ${scan.skills.size} skills`
        : 'no file yet (empty)',
    }
  } catch (error) {
    if (!(error instanceof SkillMetricsError)) throw error
    return { name: 'legacy file valid', ok: false, detail: error.message }
  }
}

/** Whether the file's bytes are ones our last write accepted (hashed, not parsed: the other guard parses it). */
async function fileAsWeLeftIt(jsonFile: string) {
  const current = await fingerprintFile(jsonFile)
  const writerState = await readWriterState(jsonFile)
  const unabsorbed =
    writerState !== null &&
    current !== null &&
    !writerState.accepted.some((accepted) => accepted.sha256 === current.sha256)
  return { writerState, unabsorbed }
}

/**
 * No foreign writer: the file is as our last write left it, and no foreign write was seen since
 * the phase last changed. The original Python tracker takes no lock; while it writes, nothing the
 * migration does can be exact.
 */
export async function noForeignWriter({ jsonFile, state }: GuardContext): Promise<GuardCheck> {
  const name = 'no foreign writer'
  let { writerState, unabsorbed } = await fileAsWeLeftIt(jsonFile)
  // Our writers write the state, then the file, and this runs outside their lock: a write that
  // lands between reading the state and hashing the file looks foreign. A foreign write stays
  // foreign on a second look; ours is then accepted by the state it wrote first.
  if (unabsorbed) ({ writerState, unabsorbed } = await fileAsWeLeftIt(jsonFile))
  if (writerState === null)
    return { name, ok: true, detail: 'no write by skill-metrics recorded yet' }
  const since = writerState.foreign_writes.filter(
    (write) => state.changed_at === null || write.detected_at >= state.changed_at,
  )
  if (unabsorbed) {
    return {
      name,
      ok: false,
      detail: `${jsonFile} was changed by a writer that is not skill-metrics since our last write`,
    }
  }
  if (since.length > 0) {
    return {
      name,
      ok: false,
      detail: `${since.length} foreign write(s) to ${jsonFile} since ${state.changed_at ?? 'the start'}, the last at ${since.at(-1)!.detected_at}`,
    }
  }
  return { name, ok: true, detail: 'none recorded' }
}

/**
 * Phase 1's guard: schema at the latest version (PhaseStore.open checks it), file valid, no
 * foreign writer, room for what dual-write writes.
 */
export async function dualWriteGuard(context: GuardContext): Promise<GuardCheck[]> {
  return [
    await legacyFileValid(context),
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

/** Phase 3's guard: the database proved equal to the file, nothing missed since, no foreign writer. */
export async function dualReadGuard(context: GuardContext): Promise<GuardCheck[]> {
  return [
    await lastValidationClean(context),
    await noMissSinceLastValidation(context),
    await noForeignWriter(context),
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
