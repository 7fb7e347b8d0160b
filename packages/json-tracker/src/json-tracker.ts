import {
  applyCompletion,
  type Clock,
  CompletedDurations,
  type CompleteOptions,
  type Completer,
  completerOnce,
  exportPieces,
  invocationId,
  type LegacyDocument,
  type LegacyInvocation,
  type MetricsTracker,
  naiveSecondsBetween,
  renderReport,
  type SkillMetrics,
  type Summary,
  summarize,
  systemClock,
  type TrackOptions,
  toNaiveLocalIso,
  toSkillMetrics,
} from '@skill-metrics/core'
import { modeForFilesBeside } from '@skill-metrics/durable-file'
import { appendChange, ChangeRecorder, notePlacedBytes } from './change-log.js'
import {
  type FileFingerprint,
  fileVersionOf,
  readingThroughTornSaves,
  scanLegacyFile,
  scanThroughTornSaves,
} from './legacy-reader.js'
import { encodeLegacyFile, replaceLegacyFile, writePiecesToFile } from './legacy-writer.js'
import { noteForeignWrite, readWriterState } from './writer-state.js'
import { withWritersLock } from './writers-lock.js'

export interface JsonTrackerOptions {
  /** The legacy file, e.g. `.session-buddy/skill_metrics.json`. */
  file: string
  clock?: Clock
  /** How long a write waits for the writers' lock (default 30 s). */
  lockTimeoutMs?: number
  /**
   * Runs under the writers' lock before every write (a start or a completion); throwing stops
   * the write. The phase machine uses it so a writer holding a stale epoch notices before it writes.
   */
  beforeWrite?: () => Promise<void>
}

/** A legacy file loaded whole, for a rewrite under the lock. */
export interface LoadedLegacyFile extends LegacyDocument {
  fingerprint: FileFingerprint | null
  modifiedAt: string | null
  version: string | null
}

/**
 * Reads the whole file into memory (only the write path needs this), again if a lockless writer
 * was halfway through a save.
 */
export function loadLegacyFile(file: string): Promise<LoadedLegacyFile> {
  return readingThroughTornSaves(async (snapshot) => {
    const invocations: LegacyInvocation[] = []
    const scan = await scanLegacyFile(file, (invocation) => invocations.push(invocation), {
      snapshot,
    })
    return {
      invocations,
      skills: scan.skills,
      last_updated: scan.last_updated,
      extra: scan.extra,
      fingerprint: scan.fingerprint,
      modifiedAt: scan.modifiedAt,
      version: scan.version,
    }
  })
}

/** A save by a writer that takes no lock landed between our read and our rename. */
class SavedOverDuringRewrite extends Error {}

/** How often a rewrite starts again from a fresh read before it gives up. */
const REWRITE_ATTEMPTS = 20

/**
 * Changes the legacy file the one safe way: from a fresh read, atomically, with the writer state
 * noting a foreign write it finds. The caller holds the writers' lock (`assertHeld` proves it
 * just before the rename). A writer that takes no lock can still save between our read and our
 * rename; renaming over that save would erase it unnoticed, so the file's version is checked again
 * right before the rename and the change is made again on a fresh read of the new bytes (which
 * notes the foreign write). `change` may therefore run more than once: the result of the last run
 * is returned.
 */
export async function rewriteLegacyFile<T>(
  file: string,
  change: (document: LegacyDocument) => T | Promise<T>,
  { now, assertHeld }: { now: Date; assertHeld: () => void },
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await rewriteOnce(file, change, now, assertHeld)
    } catch (error) {
      if (!(error instanceof SavedOverDuringRewrite) || attempt >= REWRITE_ATTEMPTS) throw error
    }
  }
}

async function rewriteOnce<T>(
  file: string,
  change: (document: LegacyDocument) => T | Promise<T>,
  now: Date,
  assertHeld: () => void,
): Promise<T> {
  const document = await loadLegacyFile(file)
  // The writer state is ours, not the legacy format: it keeps UTC, comparable with audit rows.
  const stamp = now.toISOString()
  const state = noteForeignWrite(
    await readWriterState(file),
    document.fingerprint,
    stamp,
    document.modifiedAt,
  )
  const recorder = new ChangeRecorder(document)
  const result = await change(document)
  document.last_updated = toNaiveLocalIso(now)
  const changed = recorder.changesIn(document)
  const written = await replaceLegacyFile(
    file,
    encodeLegacyFile(document),
    document.fingerprint,
    state,
    stamp,
    async () => {
      assertHeld()
      if ((await fileVersionOf(file)) !== document.version) throw new SavedOverDuringRewrite()
    },
    // Logged before the rename: a crash after it leaves an entry for bytes the file never held,
    // which links nothing; logged after, a crash between would break the chain of a rename
    // that happened.
    changed === null
      ? undefined
      : (after) =>
          appendChange(file, { before: document.fingerprint, after, at: stamp, ...changed }),
  )
  // The file is written: a note that fails (a full disk) must not report the write as failed.
  if (changed !== null) await notePlacedBytes(file, written).catch(() => {})
  return result
}

/**
 * The legacy tracker, rebuilt so that it cannot lose a write: every change takes the writers'
 * lock, re-reads the file, applies itself and replaces the file atomically. An invocation enters
 * the file as pending when it starts (so a crash leaves a trace, and its id is fixed from then on)
 * and is completed in place, once.
 */
export class JsonFileTracker implements MetricsTracker {
  readonly file: string
  readonly #clock: Clock
  readonly #lockTimeoutMs: number | undefined
  readonly #beforeWrite: (() => Promise<void>) | undefined

  constructor({ file, clock = systemClock, lockTimeoutMs, beforeWrite }: JsonTrackerOptions) {
    this.file = file
    this.#clock = clock
    this.#lockTimeoutMs = lockTimeoutMs
    this.#beforeWrite = beforeWrite
  }

  async trackInvocation(skillName: string, options: TrackOptions = {}): Promise<Completer> {
    return (await this.startInvocation(skillName, options)).complete
  }

  /**
   * Starts an invocation and tells what a mirror needs to copy it exactly: its id (from its
   * occurrence among the file's records, ARCHITECTURE §4) and position, and after completion the
   * duration and the completion sequence (the sum of all skill totals right after it).
   */
  async startInvocation(skillName: string, options: TrackOptions = {}): Promise<StartedInvocation> {
    const invocation: LegacyInvocation = {
      skill_name: skillName,
      invoked_at: options.invokedAt ?? toNaiveLocalIso(this.#clock.now()),
      workflow_path: options.workflowPath ?? null,
      completed: false,
      duration_seconds: null,
      follow_up_actions: [],
      error_type: null,
    }
    const { seq, occurrence } = await this.#rewrite((document) => {
      const occurrence = document.invocations.filter((candidate) =>
        sameIdentity(candidate, invocation),
      ).length
      return { seq: document.invocations.push(invocation) - 1, occurrence }
    })
    let finished: CompletedInvocation | undefined
    return {
      id: invocationId(
        invocation.skill_name,
        invocation.invoked_at,
        invocation.workflow_path,
        occurrence,
      ),
      seq,
      invocation,
      // Nothing reached the file when a completion fails: the caller may try again.
      complete: completerOnce(invocation, async (completion) => {
        finished = await this.completeStarted(invocation, seq, completion)
      }),
      completion: () => finished,
    }
  }

  /**
   * Completes a pending record that entered the file at `index`, found again by its identity if
   * the file moved it: how an invocation started by another phase's tracker is finished here.
   */
  async completeStarted(
    started: LegacyInvocation,
    index: number,
    {
      completed = true,
      followUpActions = [],
      errorType = null,
      durationSeconds,
    }: CompleteOptions = {},
  ): Promise<CompletedInvocation> {
    return this.#rewrite((document) => {
      const finished: LegacyInvocation = {
        ...started,
        completed,
        follow_up_actions: [...followUpActions],
        error_type: errorType,
        duration_seconds:
          durationSeconds ??
          naiveSecondsBetween(started.invoked_at, toNaiveLocalIso(this.#clock.now())),
      }
      const position = locatePending(document.invocations, started, index)
      if (position === undefined) document.invocations.push(finished)
      else document.invocations[position] = finished
      applyCompletion(document.skills, finished)
      let completionSeq = 0
      for (const aggregate of document.skills.values()) completionSeq += aggregate.total_invocations
      return { invocation: finished, completionSeq }
    })
  }

  async getSkillMetrics(skillName: string): Promise<SkillMetrics | null> {
    return (await this.getAllMetrics()).get(skillName) ?? null
  }

  async getAllMetrics(): Promise<Map<string, SkillMetrics>> {
    return readMetrics(this.file)
  }

  async getSummary(): Promise<Summary> {
    return summarize((await scanThroughTornSaves(this.file)).skills)
  }

  async generateReport(): Promise<string> {
    return renderReport((await scanThroughTornSaves(this.file)).skills)
  }

  async exportMetrics(outputFile: string): Promise<void> {
    const document = await loadLegacyFile(this.file)
    await writePiecesToFile(
      outputFile,
      exportPieces(document, toNaiveLocalIso(this.#clock.now())),
      {
        mode: await modeForFilesBeside(this.file),
      },
    )
  }

  async close(): Promise<void> {}

  /** The one way this tracker changes the file: under the lock, from a fresh read, atomically. */
  async #rewrite<T>(change: (document: LegacyDocument) => T): Promise<T> {
    return withWritersLock(
      this.file,
      async (lock) => {
        await this.#beforeWrite?.()
        return rewriteLegacyFile(this.file, change, {
          now: this.#clock.now(),
          assertHeld: lock.assertHeld,
        })
      },
      { timeoutMs: this.#lockTimeoutMs },
    )
  }
}

/** An invocation that entered the file as pending, with what a mirror needs to copy it. */
export interface StartedInvocation {
  id: string
  /** Its position in the file's list when it entered. */
  seq: number
  invocation: LegacyInvocation
  /** Completes it in the file, once. */
  complete: Completer
  /** What the completion wrote, once `complete` has returned. */
  completion(): CompletedInvocation | undefined
}

export interface CompletedInvocation {
  invocation: LegacyInvocation
  /** The sum of all skill totals right after this completion: the file's completion order. */
  completionSeq: number
}

const sameIdentity = (a: LegacyInvocation, b: LegacyInvocation) =>
  a.skill_name === b.skill_name &&
  a.invoked_at === b.invoked_at &&
  a.workflow_path === b.workflow_path

/**
 * Where the started record is now: at its index unless someone rewrote the file, else the first
 * pending record with the same skill, time and path. `undefined` when a foreign writer dropped it.
 */
function locatePending(
  invocations: LegacyInvocation[],
  started: LegacyInvocation,
  index: number,
): number | undefined {
  const matches = (candidate: LegacyInvocation | undefined) =>
    candidate !== undefined &&
    candidate.duration_seconds === null &&
    !candidate.completed &&
    candidate.skill_name === started.skill_name &&
    candidate.invoked_at === started.invoked_at &&
    candidate.workflow_path === started.workflow_path
  if (matches(invocations[index])) return index
  const found = invocations.findIndex(matches)
  return found === -1 ? undefined : found
}

/** Every skill's metrics with percentiles, from one streaming pass (constant in the record count). */
export async function readMetrics(file: string): Promise<Map<string, SkillMetrics>> {
  let durations = new CompletedDurations()
  const { skills } = await readingThroughTornSaves((snapshot) => {
    durations = new CompletedDurations()
    return scanLegacyFile(file, (invocation) => durations.add(invocation), { snapshot })
  })
  return new Map(
    [...skills].map(([name, aggregate]) => [name, toSkillMetrics(aggregate, durations.of(name))]),
  )
}
