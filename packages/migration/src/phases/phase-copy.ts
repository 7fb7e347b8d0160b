import { readFile } from 'node:fs/promises'
import { BadInputError, PHASES, type Phase } from '@skill-metrics/core'
import * as z from '@skill-metrics/core/zod'
import type { DatabaseTarget } from '@skill-metrics/db-store/database-url'
import { modeForFilesBeside, writeFileDurably } from '@skill-metrics/durable-file'
import { withWritersLock } from '@skill-metrics/json-tracker'

/**
 * The copy of the phase kept beside the legacy file, so writers know the phase while the
 * database is unreachable (ARCHITECTURE §5). A transition writes it first marked `transitioning`
 * with the new epoch, then the database, then clears the mark.
 */
export interface PhaseCopy {
  phase: Phase
  epoch: number
  transitioning: boolean
  updated_at: string
  /**
   * The database the phase was last moved in (`canonicalDatabaseUrl`: no password): a command
   * given no `--db` uses it, so a writer started in any folder reaches the database the file
   * migrates to. Absent in a copy written before it was recorded.
   */
  database?: string
}

const phaseCopySchema = z.strictObject({
  phase: z.enum(PHASES),
  epoch: z.number().check(z.int(), z.nonnegative()),
  transitioning: z.boolean(),
  updated_at: z.string(),
  database: z.optional(z.string()),
})

export function phaseCopyPathOf(jsonFile: string): string {
  return `${jsonFile}.phase.json`
}

export async function readPhaseCopy(jsonFile: string): Promise<PhaseCopy | null> {
  const path = phaseCopyPathOf(jsonFile)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new BadInputError(
      { file: path },
      `cannot be read (${(error as NodeJS.ErrnoException).code})`,
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new BadInputError({ file: path }, 'is not valid JSON', {
      nextStep: 'Remove it; the next transition or status rewrites it from the database.',
    })
  }
  const result = phaseCopySchema.safeParse(parsed)
  if (!result.success) {
    const issue = result.error.issues[0]!
    throw new BadInputError({ file: path, field: issue.path.join('.') }, issue.message)
  }
  return result.data
}

export async function writePhaseCopy(jsonFile: string, copy: PhaseCopy): Promise<void> {
  await writeFileDurably(phaseCopyPathOf(jsonFile), `${JSON.stringify(copy, null, 2)}\n`, {
    mode: await modeForFilesBeside(jsonFile),
  })
}

/** Phases in which the legacy file is the source of truth, so the database is made equal to it. */
export const JSON_TRUTH_PHASES: readonly Phase[] = ['dual-write', 'migrated', 'dual-read']

/** Phases in which the database is the source of truth: going back rewrites the legacy file. */
export const DB_TRUTH_PHASES: readonly Phase[] = ['db-primary', 'cleaned']

/**
 * The phase copy a writer may trust. A copy still marked `transitioning` while nobody holds the
 * writers' lock was left by a transition that was killed: the database decides (it is
 * authoritative), and the copy is rewritten from it. A transition under way holds the lock, so a
 * writer that meets the mark waits for it to end and reads the copy it left.
 */
export async function settledPhaseCopy({
  jsonFile,
  db,
  lockTimeoutMs,
}: {
  jsonFile: string
  db: DatabaseTarget
  lockTimeoutMs?: number
}): Promise<PhaseCopy | null> {
  const copy = await readPhaseCopy(jsonFile)
  if (copy?.transitioning !== true) return copy
  return withWritersLock(
    jsonFile,
    async () => {
      const again = await readPhaseCopy(jsonFile)
      if (again?.transitioning !== true) return again
      // Loaded only here: a writer opens no database for a settled copy, and the store is most of
      // a command's start.
      const { PhaseStore } = await import('@skill-metrics/db-store')
      const store = await PhaseStore.open(db)
      try {
        const state = await store.state()
        // The mark is settled; what the copy records stays, whichever database this writer named.
        const settled: PhaseCopy = {
          ...again,
          phase: state.phase,
          epoch: state.epoch,
          transitioning: false,
          updated_at: new Date().toISOString(),
        }
        await writePhaseCopy(jsonFile, settled)
        return settled
      } finally {
        await store.close()
      }
    },
    { timeoutMs: lockTimeoutMs },
  )
}

/** The store a read answers from: the legacy JSON file or the database. */
export type ReadSource = 'json' | 'db'

/**
 * Where reads come from in the current phase (ARCHITECTURE §5): the legacy file while it is the
 * source of truth, the database from cutover on. In dual-read the file still answers: the
 * comparison with the database belongs to the long-running tracker (`openTracker`), which
 * records what differs; a one-off read from the CLI just reads the source of truth.
 */
export async function readSourceOf(jsonFile: string): Promise<ReadSource> {
  const phase = (await readPhaseCopy(jsonFile))?.phase ?? 'json-only'
  return phase === 'db-primary' || phase === 'cleaned' ? 'db' : 'json'
}
