import {
  applyCompletion,
  completerRan,
  InvocationIdAssigner,
  type LegacyInvocation,
} from '@skill-metrics/core'
import {
  legacyRecordOf,
  type SkillMetricsStore,
  type StoredInvocation,
} from '@skill-metrics/db-store'
import {
  acceptLegacyFile,
  readingThroughTornSaves,
  rewriteLegacyFile,
  scanLegacyFile,
} from '@skill-metrics/json-tracker'
import type { DualWriteMiss } from '../trackers/dual-write-misses.js'
import { appendJsonLines, readJsonLines } from '../trackers/jsonl-log.js'

/**
 * An invocation a writer that is not skill-metrics made one store lack, and that a command put
 * there: `restored` into the legacy file (a foreign save had erased it while the file was the
 * truth) or `imported` into the database (a foreign writer added it to the file after cutover).
 */
export interface ForeignRepair {
  at: string
  kind: 'restored' | 'imported'
  id: string
  skill_name: string
  invoked_at: string
  workflow_path: string | null
  completed: boolean
  /** The id the database had for it, when its place in the file derives another (§4). */
  previous_id: string | null
  /**
   * Only its completion was put back: the file still held it, pending again (a writer that had
   * loaded it before it completed saved over it).
   */
  completion_only?: boolean
}

/** Kept beside the legacy file, like the other logs `status` reads. */
export function foreignRepairLogPathOf(jsonFile: string): string {
  return `${jsonFile}.foreign-repairs.jsonl`
}

export function readForeignRepairs(jsonFile: string): Promise<ForeignRepair[]> {
  return readJsonLines<ForeignRepair>(foreignRepairLogPathOf(jsonFile))
}

const repairOf = (
  kind: ForeignRepair['kind'],
  at: string,
  id: string,
  record: LegacyInvocation,
  previousId: string | null,
  completionOnly = false,
): ForeignRepair => ({
  at,
  kind,
  id,
  skill_name: record.skill_name,
  invoked_at: record.invoked_at,
  workflow_path: record.workflow_path,
  completed: record.completed,
  previous_id: previousId,
  ...(completionOnly ? { completion_only: true } : {}),
})

export interface RepairOptions {
  jsonFile: string
  now: Date
  /** Proves the writers' lock is still ours; absent on a dry run, which changes nothing. */
  assertHeld?: () => void
}

/**
 * While the legacy file is the truth: puts back into it every invocation the database holds that
 * the file lacks (the legacy format never deletes one, so only a foreign save erased it), after
 * the file's records in completion order, each with its skill's aggregates moved as the completer
 * moves them (a skill the file lost comes back at the end of the map); and every completion
 * (`behind`, found by the sync) that a foreign save turned back to pending, in place. Run after a
 * sync under the writers' lock: the database then holds every file record at its position, so
 * what has no position, or one past the file's end, is exactly what the file lacks. A record whose
 * place in the file derives another id takes that id in the database first, so a crash at any
 * point leaves a state the next run finishes without putting anything back twice.
 */
export async function restoreFromDatabase(
  store: SkillMetricsStore,
  fileLength: number,
  behind: readonly StoredInvocation[],
  { jsonFile, now, assertHeld }: RepairOptions,
): Promise<ForeignRepair[]> {
  const lacking = await store.invocationsOutsideFile(fileLength)
  if (lacking.length === 0 && behind.length === 0) return []
  const at = now.toISOString()
  if (assertHeld === undefined)
    return [
      ...behind.map((stored) => repairOf('restored', at, stored.id, stored, null, true)),
      ...lacking.map((stored) => repairOf('restored', at, stored.id, stored, null)),
    ]
  const restored = await rewriteLegacyFile(
    jsonFile,
    async (document) => {
      const ids = new InvocationIdAssigner()
      const completions = new Map(behind.map((stored) => [stored.id, stored]))
      const repairs: ForeignRepair[] = []
      document.invocations.forEach((record, index) => {
        const id = ids.next(record)
        const stored = completions.get(id)
        // Still pending in the file (checked again: the sync saw an earlier read of it).
        if (stored === undefined || completerRan(record)) return
        const finished = legacyRecordOf(stored)
        document.invocations[index] = finished
        applyCompletion(document.skills, finished)
        repairs.push(repairOf('restored', at, id, finished, null, true))
      })
      for (const stored of lacking) {
        const record = legacyRecordOf(stored)
        const id = ids.next(record)
        if (id !== stored.id) await store.renameInvocation(stored.id, id)
        document.invocations.push(record)
        if (completerRan(record)) applyCompletion(document.skills, record)
        repairs.push(repairOf('restored', at, id, record, id === stored.id ? null : stored.id))
      }
      return repairs
    },
    { now, assertHeld },
  )
  await appendJsonLines(foreignRepairLogPathOf(jsonFile), jsonFile, restored)
  return restored
}

/**
 * Writes into the database what dual-write missed there (the database was down, locked or slow)
 * from the records the miss log kept: after a sync the database holds everything the file holds,
 * so a missed record it still lacks is one the file lost too (a lockless save erased the only
 * copy), and `restoreFromDatabase` then puts it back into the file. Only forward: a record the
 * database lacks is added, a pending one gets the completion the file had.
 */
export async function recoverMissedWrites(
  store: SkillMetricsStore,
  misses: readonly DualWriteMiss[],
): Promise<void> {
  const latest = new Map<string, LegacyInvocation>()
  for (const miss of misses) {
    const known = latest.get(miss.invocation_id)
    if (miss.record !== undefined && (known === undefined || !completerRan(known)))
      latest.set(miss.invocation_id, miss.record)
  }
  if (latest.size === 0) return
  const stored = await store.invocationsById([...latest.keys()])
  const lacking = [...latest].filter(([id]) => !stored.has(id))
  await store.importInvocations(lacking.map(([id, record]) => ({ ...record, id })))
  for (const [id, record] of latest) {
    const behind = stored.get(id)
    if (behind === undefined || behind.duration_seconds !== null || !completerRan(record)) continue
    await store.completeInvocation(id, {
      completed: record.completed,
      followUpActions: record.follow_up_actions,
      errorType: record.error_type,
      durationSeconds: record.duration_seconds ?? undefined,
    })
  }
}

/** What a scan of the file found that the database lacks, and how many records it read. */
export interface ForeignAdditions {
  /** The version of the file that was read (`fileVersionOf`): a later save shows as another. */
  version: string | null
  read: number
  rejected: Array<{ index: number; message: string; field: string | undefined }>
  imported: ForeignRepair[]
}

/**
 * After cutover: imports into the database the invocations another writer added to the legacy
 * file (ids the database does not hold). The database stays the truth: records it holds are
 * left as they are, whatever the file says of them. Then the file's bytes are accepted, so
 * `health` passes until the next foreign save. Run under the writers' lock, with the store
 * fenced by the phase's epoch. A missing file adds nothing.
 */
export async function importForeignAdditions(
  store: SkillMetricsStore,
  { jsonFile, now, assertHeld }: RepairOptions,
): Promise<ForeignAdditions> {
  const at = now.toISOString()
  return readingThroughTornSaves(async (snapshot) => {
    const found: ForeignAdditions = { version: null, read: 0, rejected: [], imported: [] }
    const added: Array<LegacyInvocation & { id: string }> = []
    const ids = new InvocationIdAssigner()
    let chunk: Array<LegacyInvocation & { id: string }> = []
    const lookUp = async () => {
      if (chunk.length === 0) return
      const stored = await store.invocationsById(chunk.map((record) => record.id))
      added.push(...chunk.filter((record) => !stored.has(record.id)))
      chunk = []
    }
    const scan = await scanLegacyFile(
      jsonFile,
      (record) => {
        chunk.push({ ...record, id: ids.next(record) })
        found.read += 1
      },
      {
        snapshot,
        onInvalid: (error, index) => {
          found.read += 1
          found.rejected.push({ index, message: error.message, field: error.location.field })
        },
        afterChunk: lookUp,
      },
    )
    await lookUp()
    found.version = scan.version
    found.imported = added.map((record) => repairOf('imported', at, record.id, record, null))
    if (assertHeld === undefined || scan.fingerprint === null) return found
    await store.importInvocations(added)
    await appendJsonLines(foreignRepairLogPathOf(jsonFile), jsonFile, found.imported)
    // A record the legacy schema rejects is not taken in: the file stays unaccepted, so health
    // goes on naming it until it is fixed and imported.
    if (found.rejected.length > 0) return found
    assertHeld()
    await acceptLegacyFile(jsonFile, scan.fingerprint, at, scan.modifiedAt)
    return found
  })
}
