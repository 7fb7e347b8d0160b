import { appendFileSync } from 'node:fs'
import {
  type AppliedEntry,
  applyCompletion,
  BugError,
  type Clock,
  CompletedDurations,
  type CompleteOptions,
  type Completer,
  completerOnce,
  exportPieces,
  finishedRecord,
  invocationId,
  type JournalCompletion,
  type JournalEntry,
  type LegacyDocument,
  type LegacyInvocation,
  type MetricsTracker,
  naiveSecondsBetween,
  newJournalEntry,
  renderReport,
  type SkillMetrics,
  type StartedRecord,
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
  appendToJournal,
  dropTakenJournals,
  groupCommitEnabled,
  journalHasEntries,
  journalPathOf,
  type TakenJournal,
  takeJournal,
} from './journal.js'
import {
  type FileFingerprint,
  fileVersionOf,
  readingThroughTornSaves,
  scanLegacyFile,
  scanThroughTornSaves,
} from './legacy-reader.js'
import { encodeLegacyFile, replaceLegacyFile, writePiecesToFile } from './legacy-writer.js'
import {
  appliedEntryOf,
  type JournalRecord,
  noteForeignWrite,
  readWriterState,
  recordJournal,
  settledJournal,
  withApplied,
} from './writer-state.js'
import { withWritersLock, withWritersLockUnless } from './writers-lock.js'

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
  return (await rewriteRetried(file, change, now, assertHeld, null)).result
}

async function rewriteRetried<T>(
  file: string,
  change: (document: LegacyDocument) => T | Promise<T>,
  now: Date,
  assertHeld: () => void,
  journal: JournalWork | null,
): Promise<{ result: T; batch: AppliedBatch }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await rewriteOnce(file, change, now, assertHeld, journal)
    } catch (error) {
      if (!(error instanceof SavedOverDuringRewrite) || attempt >= REWRITE_ATTEMPTS) throw error
    }
  }
}

/**
 * The group commit's part in a rewrite: the holder's own entry, applied after the journal's (none
 * when the holder only drains what waits).
 */
interface JournalWork {
  own: JournalEntry | undefined
  /** Apply the journal too (off when group commit is switched off: the reference behaviour). */
  drain: boolean
}

/** Every entry one rewrite applied, with what applying it gave, in file order. */
export type AppliedBatch = Array<{ entry: JournalEntry; applied: AppliedEntry }>

async function rewriteOnce<T>(
  file: string,
  change: (document: LegacyDocument) => T | Promise<T>,
  now: Date,
  assertHeld: () => void,
  journal: JournalWork | null,
): Promise<{ result: T; batch: AppliedBatch }> {
  const started = performance.now()
  const document = await loadLegacyFile(file)
  // The writer state is ours, not the legacy format: it keeps UTC, comparable with audit rows.
  const stamp = now.toISOString()
  const state = noteForeignWrite(
    await readWriterState(file),
    document.fingerprint,
    stamp,
    document.modifiedAt,
  )
  const settled = settledJournal(state?.journal, document.fingerprint)
  const taken =
    journal === null ? null : journal.drain ? await takeJournal(file) : { entries: [], files: [] }
  const recorder = new ChangeRecorder(document)
  const batch = taken === null ? [] : applyJournal(document, taken, settled, journal!.own)
  const result = await change(document)
  if (journal !== null && batch.length === 0) {
    // The holder's change was applied by an earlier holder: nothing to write but what is settled.
    if (settled !== state?.journal && settled !== undefined) await recordJournal(file, settled)
    if (taken !== null) await dropTakenJournals(taken)
    return { result, batch }
  }
  document.last_updated = toNaiveLocalIso(now)
  const changed = recorder.changesIn(document)
  // Only entries someone may wait for, or replay, need a record: a holder's own change that it
  // never journaled is known to no one else.
  const recorded = batch.filter(
    ({ entry }) => entry !== journal?.own || taken!.entries.some((e) => e.entry === entry.entry),
  )
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
    (after) =>
      recorded.length === 0
        ? settled
        : {
            applied: settled?.applied ?? [],
            pending: { after, applied: recorded.map(({ applied }) => applied) },
          },
  )
  if (recorded.length > 0 || settled !== state?.journal) {
    // Settled now, so that waiters find their results without waiting for the next holder. The
    // file is written: should this fail (a full disk), the next holder settles the batch from
    // the file's bytes, and the write is not reported as failed.
    await recordJournal(
      file,
      withApplied(
        settled,
        recorded.map(({ applied }) => applied),
      ),
    ).catch((error: Error) =>
      console.error(
        `skill-metrics: the batch is in ${file}, but its writers learn so only from the next write: ${error.message}`,
      ),
    )
  }
  if (taken !== null) await dropTakenJournals(taken)
  // The file is written: a note that fails (a full disk) must not report the write as failed.
  if (changed !== null) await notePlacedBytes(file, written).catch(() => {})
  traceRewrite(performance.now() - started, batch.length)
  return { result, batch }
}

/**
 * Applies, in arrival order, the journaled entries not applied before, then the holder's own
 * (unless it journaled it too, then it is among them): ids and positions are assigned here, in
 * file order, as only the lock holder can.
 */
function applyJournal(
  document: LegacyDocument,
  taken: TakenJournal,
  settled: JournalRecord | undefined,
  own: JournalEntry | undefined,
): AppliedBatch {
  const done = new Set(settled?.applied.map(({ entry }) => entry))
  const entries =
    own === undefined || taken.entries.some(({ entry }) => entry === own.entry)
      ? taken.entries
      : [...taken.entries, own]
  return entries
    .filter(({ entry }) => !done.has(entry))
    .map((entry) => ({ entry, applied: applyEntry(document, entry) }))
}

/**
 * The legacy tracker, rebuilt so that it cannot lose a write: every change takes the writers'
 * lock, re-reads the file, applies itself and replaces the file atomically. An invocation enters
 * the file as pending when it starts (so a crash leaves a trace, and its id is fixed from then on)
 * and is completed in place, once.
 */
export class JsonFileTracker implements MetricsTracker {
  readonly file: string
  readonly clock: Clock
  readonly #lockTimeoutMs: number | undefined
  readonly #beforeWrite: (() => Promise<void>) | undefined

  constructor({ file, clock = systemClock, lockTimeoutMs, beforeWrite }: JsonTrackerOptions) {
    this.file = file
    this.clock = clock
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
    const invocation = pendingInvocation(skillName, options, this.clock)
    const { applied } = await this.commit(
      newJournalEntry({ kind: 'start', record: invocation, session_id: options.sessionId ?? null }),
    )
    let finished: CompletedInvocation | undefined
    return {
      id: applied.id,
      seq: applied.seq,
      invocation,
      complete: journaledCompleter(
        { id: applied.id, seq: applied.seq, invocation, sessionId: options.sessionId ?? null },
        this.clock,
        async (entry) => {
          const { applied: done } = await this.commit(entry)
          finished = {
            invocation: finishedRecord(entry.started, entry.completion),
            completionSeq: done.completion_seq ?? 0,
          }
        },
      ),
      completion: () => finished,
    }
  }

  /**
   * Applies what waits in the journal (changes of writers that gave up waiting, or of the Python
   * client, whose only channel it is), waiting for the lock as long as any write would. Returns
   * the batch applied, for a mirror to copy; empty when nothing waited.
   */
  async drain(): Promise<AppliedBatch> {
    if (!(await journalHasEntries(this.file))) return []
    const { batch } = await withWritersLock(
      this.file,
      async (lock) => {
        await this.#beforeWrite?.()
        return rewriteRetried(this.file, () => undefined, this.clock.now(), lock.assertHeld, {
          own: undefined,
          drain: true,
        })
      },
      { timeoutMs: this.#lockTimeoutMs },
    )
    return batch
  }

  /**
   * Makes one change part of the file and returns what applying it gave, with every change this
   * process applied as the lock holder (its own and the journal's), for a mirror to copy after
   * the lock is released. With the lock free the change is applied at once; with it busy, the
   * change is journaled and applied by whoever holds the lock next, in one rewrite with every
   * other waiting change — unless this writer gets the lock first and does it itself.
   */
  async commit(entry: JournalEntry): Promise<CommitResult> {
    const groupCommit = groupCommitEnabled()
    let journaled = false
    let checkedAt = 0
    const outcome = await withWritersLockUnless(
      this.file,
      async (lock) => {
        // Applied by the holder before us while we queued: nothing to read or write.
        const done = journaled ? await appliedEntryOf(this.file, entry.entry) : undefined
        if (done !== undefined) return { result: undefined, batch: [] }
        await this.#beforeWrite?.()
        return rewriteRetried(this.file, () => undefined, this.clock.now(), lock.assertHeld, {
          own: entry,
          drain: groupCommit,
        })
      },
      async () => {
        if (!groupCommit) return undefined
        if (!journaled) {
          await appendToJournal(this.file, entry)
          journaled = true
          return undefined
        }
        if (performance.now() - checkedAt < APPLIED_POLL_MS) return undefined
        checkedAt = performance.now()
        return appliedEntryOf(this.file, entry.entry)
      },
      {
        timeoutMs: this.#lockTimeoutMs,
        timeoutNote: () =>
          journaled
            ? `; the change waits in the journal (${journalPathOf(this.file)}, entry ${entry.entry}) and the next writer applies it: do not record it again`
            : '',
      },
    )
    if ('resolved' in outcome) return { entry, applied: outcome.resolved, batch: [] }
    const { batch } = outcome.held
    const applied =
      batch.find((item) => item.entry.entry === entry.entry)?.applied ??
      (await appliedEntryOf(this.file, entry.entry))
    if (applied === undefined) {
      throw new BugError(`the journal entry ${entry.entry} was neither applied nor on record`)
    }
    return { entry, applied, batch }
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
    await writePiecesToFile(outputFile, exportPieces(document, toNaiveLocalIso(this.clock.now())), {
      mode: await modeForFilesBeside(this.file),
    })
  }

  async close(): Promise<void> {}
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

/** What `commit` gave: the change's result, and the batch this process applied as the lock holder. */
export interface CommitResult {
  entry: JournalEntry
  applied: AppliedEntry
  batch: AppliedBatch
}

/** How often a waiting writer reads the writer state for its entry's result. */
const APPLIED_POLL_MS = 100

export function pendingInvocation(
  skillName: string,
  options: TrackOptions,
  clock: Clock,
): LegacyInvocation {
  return {
    skill_name: skillName,
    invoked_at: options.invokedAt ?? toNaiveLocalIso(clock.now()),
    workflow_path: options.workflowPath ?? null,
    completed: false,
    duration_seconds: null,
    follow_up_actions: [],
    error_type: null,
  }
}

/** A completion as the journal carries it: its duration fixed now, before any wait for the lock. */
function journalCompletion(
  started: LegacyInvocation,
  { completed = true, followUpActions = [], errorType = null, durationSeconds }: CompleteOptions,
  clock: Clock,
): JournalCompletion {
  return {
    completed,
    follow_up_actions: [...followUpActions],
    error_type: errorType,
    duration_seconds:
      durationSeconds ?? naiveSecondsBetween(started.invoked_at, toNaiveLocalIso(clock.now())),
  }
}

export function completionEntry(
  { id, seq, invocation: started, sessionId }: StartedRecord,
  completion: CompleteOptions,
  clock: Clock,
): Extract<JournalEntry, { kind: 'complete' }> {
  return newJournalEntry({
    kind: 'complete',
    id,
    seq,
    started,
    session_id: sessionId,
    completion: journalCompletion(started, completion, clock),
  }) as Extract<JournalEntry, { kind: 'complete' }>
}

/**
 * The completer of a started invocation. Its completion is one journal entry, made on the first
 * call and reused by a retry: a completion journaled before a failure (the lock's time-out) may
 * still be applied, and the retry must then find it applied rather than apply a second one.
 */
export function journaledCompleter(
  started: StartedRecord,
  clock: Clock,
  commit: (entry: Extract<JournalEntry, { kind: 'complete' }>) => Promise<unknown>,
): Completer {
  let entry: Extract<JournalEntry, { kind: 'complete' }> | undefined
  return completerOnce(started.invocation, async (completion) => {
    entry ??= completionEntry(started, completion, clock)
    await commit(entry)
  })
}

/** A whole invocation, started and finished, as one change (`track`). */
export function invocationEntry(
  skillName: string,
  options: TrackOptions,
  completion: CompleteOptions,
  clock: Clock,
): JournalEntry {
  const started = pendingInvocation(skillName, options, clock)
  return newJournalEntry({
    kind: 'invocation',
    record: finishedRecord(started, journalCompletion(started, completion, clock)),
    session_id: options.sessionId ?? null,
  })
}

/** Applies one journal entry to the document loaded under the lock. */
function applyEntry(document: LegacyDocument, entry: JournalEntry): AppliedEntry {
  const totalAfter = () => {
    let total = 0
    for (const aggregate of document.skills.values()) total += aggregate.total_invocations
    return total
  }
  if (entry.kind === 'complete') {
    const finished = finishedRecord(entry.started, entry.completion)
    const position = locatePending(document.invocations, entry.started, entry.seq)
    if (position === undefined) document.invocations.push(finished)
    else document.invocations[position] = finished
    applyCompletion(document.skills, finished)
    return {
      entry: entry.entry,
      id: entry.id,
      seq: position ?? document.invocations.length - 1,
      completion_seq: totalAfter(),
    }
  }
  const record = entry.record
  const occurrence = document.invocations.filter((candidate) =>
    sameIdentity(candidate, record),
  ).length
  const seq = document.invocations.push({ ...record }) - 1
  const id = invocationId(record.skill_name, record.invoked_at, record.workflow_path, occurrence)
  if (entry.kind === 'start') return { entry: entry.entry, id, seq, completion_seq: null }
  applyCompletion(document.skills, record)
  return { entry: entry.entry, id, seq, completion_seq: totalAfter() }
}

/** Appends the rewrite's duration where `SKILL_METRICS_TRACE_FILE` points (the bench reads it). */
function traceRewrite(ms: number, entries: number): void {
  const trace = process.env.SKILL_METRICS_TRACE_FILE
  if (trace === undefined || trace === '') return
  try {
    appendFileSync(
      trace,
      `${JSON.stringify({ event: 'rewrite', ms, entries, pid: process.pid })}\n`,
    )
  } catch (error) {
    console.error(`skill-metrics: could not write the trace ${trace}: ${(error as Error).message}`)
  }
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

/**
 * Every skill's metrics with percentiles, from one streaming pass (constant in the record count).
 * `observer` starts each pass (a torn save reads the file again) and is handed every record, for
 * a caller that counts more in the same pass.
 */
export async function readMetrics(
  file: string,
  observer?: () => (invocation: LegacyInvocation) => void,
): Promise<Map<string, SkillMetrics>> {
  let durations = new CompletedDurations()
  const { skills } = await readingThroughTornSaves((snapshot) => {
    durations = new CompletedDurations()
    const observe = observer?.()
    return scanLegacyFile(
      file,
      (invocation) => {
        durations.add(invocation)
        observe?.(invocation)
      },
      { snapshot },
    )
  })
  return new Map(
    [...skills].map(([name, aggregate]) => [name, toSkillMetrics(aggregate, durations.of(name))]),
  )
}
