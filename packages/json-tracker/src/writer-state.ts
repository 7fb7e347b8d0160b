import { readFile } from 'node:fs/promises'
import type { FileFingerprint } from '@skill-metrics/durable-file'

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
  found: FileFingerprint
  expected: FileFingerprint | null
}

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
): WriterState | null {
  if (state === null || found === null) return state
  if (state.accepted.some((accepted) => sameFingerprint(accepted, found))) return state
  return {
    ...state,
    foreign_writes: [
      ...state.foreign_writes,
      { detected_at: now, found, expected: state.accepted[0] ?? null },
    ].slice(-KEPT_FOREIGN_WRITES),
  }
}
