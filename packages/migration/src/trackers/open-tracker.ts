import { existsSync } from 'node:fs'
import {
  type AppliedEntry,
  type CompleteOptions,
  type Completer,
  type JournalEntry,
  type MetricsTracker,
  newJournalEntry,
  type Phase,
  RefusedError,
  type SkillMetrics,
  StaleEpochError,
  type Summary,
  systemClock,
  type TrackOptions,
} from '@skill-metrics/core'
import type { SkillMetricsStore, StoreOptions } from '@skill-metrics/db-store'
import {
  type DatabaseTarget,
  DEFAULT_CONNECT_TIMEOUT_MS,
} from '@skill-metrics/db-store/database-url'
import {
  invocationEntry,
  JsonFileTracker,
  journalEntryOnce,
  journaledCompleter,
  journalHasEntries,
  pendingInvocation,
} from '@skill-metrics/json-tracker'
import {
  DB_TRUTH_PHASES,
  type PhaseCopy,
  type ReadSource,
  readPhaseCopy,
  readSourceOf,
  settledPhaseCopy,
} from '../phases/phase-copy.js'
import { DualReadTracker } from './dual-read-tracker.js'
import type { DualWriteMiss } from './dual-write-misses.js'
import { DUAL_WRITE_TIMEOUT_MS, DualWriteTracker } from './dual-write-tracker.js'
import { commitToDatabase, drainJournalIntoDatabase } from './journal-drain.js'

export interface OpenTrackerOptions {
  jsonFile: string
  db: DatabaseTarget
  /** Bound on each database write in dual-write (default 2 s). */
  dualWriteTimeoutMs?: number
  lockTimeoutMs?: number
  /** Read this store as it is, whatever the phase (`--source`); no phase following, no comparing. */
  source?: ReadSource
  /** Hears of each database write dual-write missed (recorded beside the file for `data migrate`). */
  onMiss?: (miss: DualWriteMiss) => void
}

/** How many times a write is retried after the phase moved under it. */
const REOPEN_ATTEMPTS = 3

/**
 * The database store, imported when a phase uses it: `track` in json-only loads none of the
 * store's modules (nor, through them, TypeORM and a driver).
 */
async function openStore(options: StoreOptions): Promise<SkillMetricsStore> {
  const { SkillMetricsStore } = await import('@skill-metrics/db-store')
  return SkillMetricsStore.open(options)
}

/**
 * Imports the store and TypeORM before a dual-write is timed: loading them takes a good part of
 * the 2 s bound on a busy machine, and a write that missed it only for that would be recorded as
 * a miss.
 */
async function loadStoreCode(): Promise<void> {
  const { loadTypeorm } = await import('@skill-metrics/db-store')
  await loadTypeorm()
}

/**
 * The tracker the current phase calls for (ARCHITECTURE §5), read from the copy beside the legacy
 * file so a writer knows the phase while the database is down: `json-only`, the legacy file;
 * `dual-write` and `migrated`, the file then the database; `dual-read`, the same writes, with
 * every read compared between the two (the file's answer returned); `db-primary` and `cleaned`,
 * the database only. It follows the phase: every write is fenced with the epoch it was opened
 * for (under the writers' lock for the file, inside the transaction for the database), and when a
 * transition moved the phase on, the write is made on the new phase's tracker instead. That holds
 * for completions too: an invocation started before a cutover or a rollback completes in the
 * store that is the source of truth when it completes.
 */
export async function openTracker(options: OpenTrackerOptions): Promise<MetricsTracker> {
  if (options.source === 'db') return openStore({ target: options.db })
  if (options.source === 'json') {
    return new JsonFileTracker({ file: options.jsonFile, lockTimeoutMs: options.lockTimeoutMs })
  }
  const tracker = new PhaseFollowingTracker(options)
  await tracker.reopen()
  return tracker
}

/**
 * Runs `work` on the tracker `openTracker(options)` opens and closes it. With no `source`, the
 * phase's own tracker reads: in dual-read it compares the database with the file and records what
 * differs, as every reader does then. Also says which store answered, for the caller to name it.
 */
export async function withReadTracker<T>(
  options: OpenTrackerOptions,
  work: (tracker: MetricsTracker) => Promise<T>,
): Promise<{ source: ReadSource; result: T }> {
  const source = options.source ?? (await readSourceOf(options.jsonFile))
  if (source === 'json') await refuseArchivedFile(options.jsonFile)
  const tracker = await openTracker(options)
  try {
    return { source, result: await work(tracker) }
  } finally {
    await tracker.close()
  }
}

/**
 * Once cleanup archived the legacy file, reading where it was would answer with an empty
 * tracker, zeros that look like data: name the archive instead.
 */
export async function refuseArchivedFile(jsonFile: string): Promise<void> {
  if (existsSync(jsonFile)) return
  // Loaded only for a missing file: cleanup's module brings most of the operations with it.
  const { legacyArchiveOf } = await import('../operations/cleanup.js')
  const archive = await legacyArchiveOf(jsonFile)
  if (archive === null) return
  throw new RefusedError(
    `${jsonFile} was archived by cleanup to ${archive}; the database is the only store now`,
    {
      nextStep: `Read the database (--source db), or a copy of the archive: gunzip -c ${archive} > archived.json, then --json-file archived.json`,
    },
  )
}

/** Where `recordInvocation` wrote, so that `track` names the store and not just the file. */
export interface RecordedInvocation {
  /** The phase whose stores took the completion (it may have moved while the write waited). */
  phase: Phase
  /** The legacy file, when the write went there. */
  file: string | null
  /** The database (password masked), when the write landed there. */
  database: string | null
  /** Why the database missed the write in dual-write; null when it did not. */
  missed: string | null
}

/**
 * `track`: one invocation started and finished at once, written where the phase sends writes (the
 * legacy file, both stores, or the database).
 */
export async function recordInvocation(
  options: OpenTrackerOptions,
  skillName: string,
  track: TrackOptions,
  completion: CompleteOptions,
): Promise<RecordedInvocation> {
  const misses: DualWriteMiss[] = []
  const tracker = new PhaseFollowingTracker({ ...options, onMiss: (miss) => misses.push(miss) })
  try {
    await tracker.record(skillName, track, completion)
    const phase = tracker.phase
    const missed = misses.at(-1)?.error ?? null
    return {
      phase,
      file: DB_TRUTH_PHASES.includes(phase) ? null : options.jsonFile,
      database: phase === 'json-only' || missed !== null ? null : options.db.display,
      missed,
    }
  } finally {
    await tracker.close()
  }
}

/** What `journal apply` did: the phase that took the changes, and what it applied. */
export interface AppliedJournal extends Omit<RecordedInvocation, 'missed'> {
  /** The given entry's result (already applied before, or now); null when none was given. */
  entry: AppliedEntry | null
  /** Without an entry, every entry that waited and this run applied; with one, its result. */
  applied: AppliedEntry[]
  /** Why the database missed the copy in dual-write, one line per change; empty when it did not. */
  missed: string[]
}

/**
 * `journal apply`: the changes waiting in the group-commit journal, applied where the phase keeps
 * the truth; with an entry (the Python client's, which journaled it first), that one for sure,
 * once by its id, whoever applies it.
 */
export async function applyJournal(
  options: OpenTrackerOptions,
  entry?: JournalEntry,
): Promise<AppliedJournal> {
  const applier = new JournalApplier(options)
  try {
    return await applier.apply(entry)
  } finally {
    await applier.close()
  }
}

/**
 * `journal apply` kept open (`--serve`): one tracker, following the phase as a long-running
 * writer does, applies entry after entry. A Python process pays the CLI's start-up and the
 * database's connection once, not on every completion. Entries are applied one at a time.
 */
export class JournalApplier {
  readonly #options: OpenTrackerOptions
  readonly #misses: DualWriteMiss[] = []
  readonly #tracker: PhaseFollowingTracker

  constructor(options: OpenTrackerOptions) {
    this.#options = options
    this.#tracker = new PhaseFollowingTracker({
      ...options,
      onMiss: (miss) => this.#misses.push(miss),
    })
  }

  /** `entry` applied exactly once by its id (or, without one, what waits in the journal). */
  async apply(entry?: JournalEntry): Promise<AppliedJournal> {
    // An apply that threw leaves its misses behind: they are not this entry's.
    this.#misses.length = 0
    if (entry !== undefined) await journalEntryOnce(this.#options.jsonFile, entry)
    const own = entry === undefined ? null : await this.#tracker.commit(entry)
    const applied = own === null ? await this.#tracker.drain() : [own]
    const phase = this.#tracker.phase
    const missed = this.#misses.splice(0).map((miss) => miss.error)
    return {
      phase,
      file: DB_TRUTH_PHASES.includes(phase) ? null : this.#options.jsonFile,
      database: phase === 'json-only' || missed.length > 0 ? null : this.#options.db.display,
      entry: own,
      applied,
      missed,
    }
  }

  close(): Promise<void> {
    return this.#tracker.close()
  }
}

/**
 * One phase's way of writing: a change (a start, a completion of an invocation any phase started,
 * or both at once) applied where the phase keeps the truth, exactly once by its entry id — also
 * when it was journaled under an earlier phase and is retried under this one.
 */
interface PhaseWriter {
  commit(entry: JournalEntry): Promise<AppliedEntry>
  /** Applies what waits in the journal, exactly once each; what it applied. */
  drain(): Promise<AppliedEntry[]>
}

interface PhaseTrackers {
  copy: Pick<PhaseCopy, 'phase' | 'epoch'>
  writer: PhaseWriter
  reader: MetricsTracker
}

class PhaseFollowingTracker implements MetricsTracker {
  readonly #options: OpenTrackerOptions
  #current: PhaseTrackers | undefined
  /** Trackers of earlier phases, closed with this one. */
  readonly #retired: MetricsTracker[] = []

  constructor(options: OpenTrackerOptions) {
    this.#options = options
  }

  /** The phase of the trackers that made the last write (json-only before any). */
  get phase(): Phase {
    return this.#current?.copy.phase ?? 'json-only'
  }

  async reopen(): Promise<void> {
    const copy = (await settledPhaseCopy(this.#options)) ?? { phase: 'json-only', epoch: 0 }
    if (this.#current !== undefined) this.#retired.push(this.#current.reader)
    this.#current = await trackersFor(copy.phase, copy.epoch, this.#options)
  }

  async trackInvocation(skillName: string, options: TrackOptions = {}): Promise<Completer> {
    const invocation = pendingInvocation(skillName, options, systemClock)
    const started = newJournalEntry({
      kind: 'start',
      record: invocation,
      session_id: options.sessionId ?? null,
    })
    const { id, seq } = await this.#write((writer) => writer.commit(started))
    const sessionId = options.sessionId ?? null
    return journaledCompleter({ id, seq, invocation, sessionId }, systemClock, (entry) =>
      this.#write((writer) => writer.commit(entry)),
    )
  }

  /** One invocation started and finished at once: one change, so one rewrite or one transaction. */
  async record(
    skillName: string,
    options: TrackOptions,
    completion: CompleteOptions,
  ): Promise<void> {
    const entry = invocationEntry(skillName, options, completion, systemClock)
    await this.#write((writer) => writer.commit(entry))
  }

  /** A change made elsewhere (journaled by the Python client), applied once by its entry id. */
  commit(entry: JournalEntry): Promise<AppliedEntry> {
    return this.#write((writer) => writer.commit(entry))
  }

  drain(): Promise<AppliedEntry[]> {
    return this.#write((writer) => writer.drain())
  }

  async getSkillMetrics(skillName: string): Promise<SkillMetrics | null> {
    return (await this.#reader()).getSkillMetrics(skillName)
  }

  async getAllMetrics(): Promise<Map<string, SkillMetrics>> {
    return (await this.#reader()).getAllMetrics()
  }

  async getSummary(): Promise<Summary> {
    return (await this.#reader()).getSummary()
  }

  async generateReport(): Promise<string> {
    return (await this.#reader()).generateReport()
  }

  async exportMetrics(outputFile: string): Promise<void> {
    return (await this.#reader()).exportMetrics(outputFile)
  }

  async close(): Promise<void> {
    for (const tracker of [...this.#retired, this.#current?.reader]) await tracker?.close()
  }

  /** A write on the current phase's writer, made again on the next phase's when it moved. */
  async #write<T>(work: (writer: PhaseWriter) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        if (this.#current === undefined) await this.reopen()
        return await work(this.#current!.writer)
      } catch (error) {
        if (!(error instanceof StaleEpochError) || attempt >= REOPEN_ATTEMPTS) throw error
        await this.reopen()
      }
    }
  }

  /** Reads follow the phase too: the copy is read (a small file) and a moved phase reopens. */
  async #reader(): Promise<MetricsTracker> {
    const copy = await readPhaseCopy(this.#options.jsonFile)
    const current = this.#current?.copy
    if (
      current === undefined ||
      copy?.transitioning === true ||
      (copy?.epoch ?? 0) !== current.epoch
    ) {
      await this.reopen()
    }
    return this.#current!.reader
  }
}

async function trackersFor(
  phase: Phase,
  epoch: number,
  options: OpenTrackerOptions,
): Promise<PhaseTrackers> {
  const copy = { phase, epoch }
  const dualWriteTimeoutMs = options.dualWriteTimeoutMs ?? DUAL_WRITE_TIMEOUT_MS
  // A writer never waits on the database past the dual-write bound, whatever the connect
  // time-out: the tracker stops waiting at the bound, but closing waits for the open to end.
  const dualWriteTarget = {
    ...options.db,
    connectTimeoutMs: Math.min(
      options.db.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      dualWriteTimeoutMs,
    ),
  }
  const openDualWriteStore = () =>
    openStore({ target: dualWriteTarget, busyTimeoutMs: dualWriteTimeoutMs })
  const json = new JsonFileTracker({
    file: options.jsonFile,
    lockTimeoutMs: options.lockTimeoutMs,
    beforeWrite: async () => {
      const now = await readPhaseCopy(options.jsonFile)
      if ((now?.epoch ?? 0) !== epoch || now?.transitioning === true) {
        throw new StaleEpochError(
          `the phase moved from ${phase} (epoch ${epoch}) to ${now?.phase ?? 'json-only'} (epoch ${now?.epoch ?? 0})`,
        )
      }
    },
  })
  switch (phase) {
    case 'json-only':
      return {
        copy,
        reader: json,
        writer: {
          commit: async (entry) => (await json.commit(entry)).applied,
          drain: async () => (await json.drain()).map(({ applied }) => applied),
        },
      }
    case 'dual-write':
    case 'migrated': {
      await loadStoreCode()
      const dual = new DualWriteTracker(
        json,
        openDualWriteStore,
        dualWriteTimeoutMs,
        options.onMiss,
      )
      return { copy, reader: dual, writer: dual }
    }
    case 'dual-read': {
      await loadStoreCode()
      const dual = new DualReadTracker(json, openDualWriteStore, dualWriteTimeoutMs, options.onMiss)
      return { copy, reader: dual, writer: dual.writes }
    }
    case 'db-primary':
    case 'cleaned': {
      const store = await openStore({ target: options.db, epoch })
      const drainOptions = { jsonFile: options.jsonFile, lockTimeoutMs: options.lockTimeoutMs }
      return {
        copy,
        reader: store,
        writer: {
          commit: (entry) => commitToDatabase(store, entry, drainOptions),
          drain: async () =>
            (await journalHasEntries(options.jsonFile))
              ? drainJournalIntoDatabase(store, drainOptions)
              : [],
        },
      }
    }
  }
}
