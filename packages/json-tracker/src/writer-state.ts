import { readFile } from 'node:fs/promises'
import type { AppliedEntry } from '@skill-metrics/core'
import {
  type FileFingerprint,
  modeForFilesBeside,
  writeFileDurably,
} from '@skill-metrics/durable-file'

/**
 * What we know of the last write we made to a legacy file, kept beside it. The original Python
 * tracker takes no lock, so a file whose bytes are neither what we wrote last nor what was there
 * before that write was changed by a foreign writer (ARCHITECTURE §5).
 */
export interface WriterState {
  /** Fingerprints a file may have without a foreign writer: after our last write, and before it. */
  accepted: FileFingerprint[]
  written_at: string
  foreign_writes: ForeignWrite[]
  /** What the group commit applied from the journal (absent before it first did). */
  journal?: JournalRecord
}

/** The journal entries applied, so that their writers find their results and no replay repeats them. */
export interface JournalRecord {
  /** Applied, oldest first: the last batch whole, and older ones up to `KEPT_APPLIED_ENTRIES`. */
  applied: AppliedEntry[]
  /**
   * Applied by a rewrite whose rename may not have happened (its holder died between the two):
   * applied exactly when the file holds the bytes `after`. The holder settles it after the rename.
   */
  pending?: { after: FileFingerprint; applied: AppliedEntry[] }
}

/**
 * Enough for a duplicate line (an entry appended twice while a holder took the journal) to be
 * recognised: it is read by the very next holder.
 */
const KEPT_APPLIED_ENTRIES = 1_024

/** The record with `batch` added as applied: older entries go first past the bound, never the batch. */
export function withApplied(
  journal: JournalRecord | undefined,
  batch: AppliedEntry[],
): JournalRecord {
  const applied = [...(journal?.applied ?? []), ...batch]
  return { applied: applied.slice(-Math.max(KEPT_APPLIED_ENTRIES, batch.length)) }
}

/** The record once the file's bytes are known: a pending batch is applied or dropped. */
export function settledJournal(
  journal: JournalRecord | undefined,
  found: FileFingerprint | null,
): JournalRecord | undefined {
  if (journal?.pending === undefined) return journal
  const { pending, ...rest } = journal
  return found !== null && sameFingerprint(pending.after, found)
    ? withApplied(rest, pending.applied)
    : rest
}

/** What applying `entry` gave, once its rewrite or transaction is known to have landed. */
export async function appliedEntryOf(
  file: string,
  entry: string,
): Promise<AppliedEntry | undefined> {
  const state = await readWriterState(file).catch(() => null)
  return state?.journal?.applied.find((applied) => applied.entry === entry)
}

export interface ForeignWrite {
  detected_at: string
  /**
   * The file's modification time when the write was noticed: when the foreign save landed (the
   * guards date it by this). Absent in states written before it was kept.
   */
  modified_at?: string | null
  found: FileFingerprint
  expected: FileFingerprint | null
}

/** When a foreign write landed: the file's modification time, else when it was noticed. */
export const foreignWriteTime = (write: ForeignWrite): string =>
  write.modified_at ?? write.detected_at

const KEPT_FOREIGN_WRITES = 20

export function writerStatePathOf(file: string): string {
  return `${file}.writer-state.json`
}

export async function readWriterState(file: string): Promise<WriterState | null> {
  try {
    return JSON.parse(await readFile(writerStatePathOf(file), 'utf8')) as WriterState
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/** Whether two readings of a file saw the same bytes. */
export const sameFingerprint = (a: FileFingerprint, b: FileFingerprint | null) =>
  b !== null && a.size === b.size && a.sha256 === b.sha256

/** Whether `found` is a file state we did not write; records it in the state when so. */
export function noteForeignWrite(
  state: WriterState | null,
  found: FileFingerprint | null,
  now: string,
  modifiedAt: string | null,
): WriterState | null {
  // A state with nothing accepted (written by a journal drain while the database was the truth)
  // knows no bytes of the file yet.
  if (state === null || found === null || state.accepted.length === 0) return state
  if (state.accepted.some((accepted) => sameFingerprint(accepted, found))) return state
  return {
    ...state,
    foreign_writes: [
      ...state.foreign_writes,
      { detected_at: now, modified_at: modifiedAt, found, expected: state.accepted[0] ?? null },
    ].slice(-KEPT_FOREIGN_WRITES),
  }
}

/** Replaces the journal record in the state, once what it records has landed. Run under the writers' lock. */
export async function recordJournal(file: string, journal: JournalRecord): Promise<void> {
  const state = (await readWriterState(file)) ?? {
    accepted: [],
    written_at: new Date().toISOString(),
    foreign_writes: [],
  }
  await writeFileDurably(writerStatePathOf(file), JSON.stringify({ ...state, journal }), {
    mode: await modeForFilesBeside(file),
  })
}

/**
 * Accepts the file's bytes as they were read (`found`) without writing the file: what a command
 * does once it has taken in a foreign write (imported what it added). A foreign write it had not
 * seen before is recorded first. Run under the writers' lock.
 */
export async function acceptLegacyFile(
  file: string,
  found: FileFingerprint,
  now: string,
  modifiedAt: string | null,
): Promise<void> {
  const before = await readWriterState(file)
  // Already accepted: the state stays byte for byte (a command that fails later changed nothing).
  if (before?.accepted.some((accepted) => sameFingerprint(accepted, found))) return
  const noted = noteForeignWrite(before, found, now, modifiedAt)
  const state: WriterState = {
    accepted: [found],
    written_at: now,
    foreign_writes: noted?.foreign_writes ?? [],
    ...(before?.journal === undefined ? {} : { journal: before.journal }),
  }
  await writeFileDurably(writerStatePathOf(file), JSON.stringify(state), {
    mode: await modeForFilesBeside(file),
  })
}
