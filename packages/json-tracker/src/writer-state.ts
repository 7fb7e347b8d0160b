import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import type { FileFingerprint } from './legacy-reader.js'

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

export function fingerprintOf(bytes: Buffer): FileFingerprint {
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }
}

/** Size and sha256 of a file's bytes as they are now, without parsing it; null when it is missing. */
export async function fingerprintFile(path: string): Promise<FileFingerprint | null> {
  const hash = createHash('sha256')
  let size = 0
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer)
      size += (chunk as Buffer).length
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  return { size, sha256: hash.digest('hex') }
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

async function writeDurably(path: string, bytes: Buffer | string): Promise<void> {
  await writeFileAtomic(path, bytes, { fsync: true })
  // The rename is durable only once the directory entry is on disk.
  const directory = await open(dirname(path), 'r')
  try {
    await directory.sync()
  } finally {
    await directory.close()
  }
}

/**
 * Replaces `file` atomically and durably. The state beside it is written first, accepting both the
 * new bytes and the old, so a crash between the two writes is never mistaken for a foreign writer.
 */
export async function replaceLegacyFile(
  file: string,
  bytes: Buffer,
  previous: FileFingerprint | null,
  state: WriterState | null,
  now: string,
  beforeCommit: () => void,
): Promise<FileFingerprint> {
  const written = fingerprintOf(bytes)
  const accepted = previous === null ? [written] : [written, previous]
  await writeDurably(
    writerStatePathOf(file),
    JSON.stringify({ accepted, written_at: now, foreign_writes: state?.foreign_writes ?? [] }),
  )
  beforeCommit()
  await writeDurably(file, bytes)
  return written
}
