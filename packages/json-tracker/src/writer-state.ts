import { readFile } from 'node:fs/promises'
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
  if (state === null || found === null) return state
  if (state.accepted.some((accepted) => sameFingerprint(accepted, found))) return state
  return {
    ...state,
    foreign_writes: [
      ...state.foreign_writes,
      { detected_at: now, modified_at: modifiedAt, found, expected: state.accepted[0] ?? null },
    ].slice(-KEPT_FOREIGN_WRITES),
  }
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
  }
  await writeFileDurably(writerStatePathOf(file), JSON.stringify(state), {
    mode: await modeForFilesBeside(file),
  })
}
