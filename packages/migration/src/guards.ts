import { SkillMetricsError } from '@skill-metrics/core'
import { fingerprintFile, readWriterState, scanLegacyFile } from '@skill-metrics/json-tracker'
import { readMisses } from './dual-write-misses.js'
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

/**
 * No foreign writer: the file is as our last write left it, and no foreign write was seen since
 * the phase last changed. The original Python tracker takes no lock; while it writes, nothing the
 * migration does can be exact.
 */
export async function noForeignWriter({ jsonFile, state }: GuardContext): Promise<GuardCheck> {
  const writerState = await readWriterState(jsonFile)
  const name = 'no foreign writer'
  if (writerState === null)
    return { name, ok: true, detail: 'no write by skill-metrics recorded yet' }
  // Hashing the bytes is enough here; the other guard parses the file.
  const current = await fingerprintFile(jsonFile)
  const unabsorbed =
    current !== null && !writerState.accepted.some((accepted) => accepted.sha256 === current.sha256)
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

/** Phase 1's guard: schema at the latest version (PhaseStore.open checks it), file valid, no foreign writer. */
export async function dualWriteGuard(context: GuardContext): Promise<GuardCheck[]> {
  return [await legacyFileValid(context), await noForeignWriter(context)]
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
