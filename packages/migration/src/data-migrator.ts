import { stat, truncate } from 'node:fs/promises'
import {
  type BadInputError,
  InvocationIdAssigner,
  type Phase,
  RefusedError,
  type SkillAggregate,
} from '@skill-metrics/core'
import {
  type DatabaseTarget,
  SkillMetricsStore,
  type StoredInvocation,
} from '@skill-metrics/db-store'
import { scanLegacyFile, withWritersLock } from '@skill-metrics/json-tracker'
import { missLogPathOf } from './dual-write-misses.js'
import { PhaseStore } from './phase-store.js'

/** Phases in which the legacy file is the source of truth, so the database is made equal to it. */
export const JSON_TRUTH_PHASES: readonly Phase[] = ['dual-write', 'migrated', 'dual-read']

export interface RejectedRecord {
  index: number
  message: string
  field: string | undefined
}

export interface MigrateProgress {
  pass: 'bulk' | 'final'
  read: number
  bytesRead: number
  totalBytes: number
}

export interface MigrateOptions {
  jsonFile: string
  target: DatabaseTarget
  /** Hold the writers' lock for the whole run: the database equals the file when it ends. */
  final?: boolean
  batchSize?: number
  dryRun?: boolean
  lockTimeoutMs?: number
  onProgress?: (progress: MigrateProgress) => void
}

export interface MigrateResult {
  read: number
  inserted: number
  updated: number
  unchanged: number
  rejected: RejectedRecord[]
  skillsAligned: number
  dryRun: boolean
  seconds: number
}

export const DEFAULT_BATCH_SIZE = 1_000

/**
 * Phase 2, the backfill: streams the legacy file, gives each record its id, and makes the
 * database equal to the file (JSON wins) in batches. A bulk pass runs while dual-writers go on;
 * then, under the writers' lock, a second pass syncs what changed meanwhile and sets every skill's
 * aggregates from that same snapshot, so a dual-write that lands later either finds its record
 * already complete (and changes nothing) or is new (and counts once). Reruns write only what
 * differs, so a run killed at any point is finished by the next one.
 */
export async function migrateData(options: MigrateOptions): Promise<MigrateResult> {
  const started = performance.now()
  const phases = await PhaseStore.open(options.target)
  let phase: Phase
  try {
    phase = (await phases.state()).phase
  } finally {
    await phases.close()
  }
  if (!JSON_TRUTH_PHASES.includes(phase)) {
    throw new RefusedError(
      `phase is ${phase}; data migrate runs while the legacy file is the source of truth (${JSON_TRUTH_PHASES.join(', ')})`,
      {
        nextStep:
          phase === 'json-only'
            ? 'Start dual-write first: skill-metrics phase dual-write'
            : undefined,
      },
    )
  }
  const store = await SkillMetricsStore.open({ target: options.target })
  try {
    const final = async () => {
      const result = await syncPass(store, options, 'final')
      if (!options.dryRun) {
        await store.setSkillAggregates(
          [...result.skills].map(([name, aggregate], position) => ({ name, position, aggregate })),
        )
        // Every miss recorded so far is covered: the database now equals the file.
        await truncate(missLogPathOf(options.jsonFile)).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error
        })
      }
      return result
    }
    const bulk = options.final ? undefined : await syncPass(store, options, 'bulk')
    const last = options.dryRun
      ? await final()
      : await withWritersLock(options.jsonFile, final, { timeoutMs: options.lockTimeoutMs })
    const inserted = (bulk?.inserted ?? 0) + last.inserted
    const updated = (bulk?.updated ?? 0) + last.updated
    return {
      read: last.read,
      inserted,
      updated,
      // A record written by the bulk pass and again by the final one counts once as changed.
      unchanged: Math.max(0, last.read - inserted - updated - last.rejected.length),
      rejected: last.rejected,
      skillsAligned: last.skills.size,
      dryRun: options.dryRun === true,
      seconds: (performance.now() - started) / 1000,
    }
  } finally {
    await store.close()
  }
}

interface PassResult {
  read: number
  inserted: number
  updated: number
  rejected: RejectedRecord[]
  skills: Map<string, SkillAggregate>
}

async function syncPass(
  store: SkillMetricsStore,
  options: MigrateOptions,
  pass: MigrateProgress['pass'],
): Promise<PassResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
  const ids = new InvocationIdAssigner()
  const result: PassResult = { read: 0, inserted: 0, updated: 0, rejected: [], skills: new Map() }
  let batch: StoredInvocation[] = []
  // One transaction per batch: a run killed midway loses at most the batch it was writing.
  const flush = async () => {
    for (let start = 0; start < batch.length; start += batchSize) {
      const slice = batch.slice(start, start + batchSize)
      const written = await store.upsertInvocations(slice, {
        jsonWins: true,
        dryRun: options.dryRun,
      })
      result.inserted += written.inserted
      result.updated += written.updated
    }
    batch = []
  }
  const totalBytes = (await stat(options.jsonFile).catch(() => ({ size: 0 }))).size
  const scan = await scanLegacyFile(
    options.jsonFile,
    (invocation, seq) => {
      batch.push({
        ...invocation,
        id: ids.next(invocation),
        seq,
        completion_seq: null,
        session_id: null,
      })
      result.read += 1
    },
    {
      onInvalid: (error: BadInputError, index) => {
        result.read += 1
        result.rejected.push({ index, message: error.message, field: error.location.field })
      },
      afterChunk: async (bytesRead) => {
        if (batch.length >= batchSize) await flush()
        options.onProgress?.({ pass, read: result.read, bytesRead, totalBytes })
      },
    },
  )
  await flush()
  result.skills = scan.skills
  return result
}
