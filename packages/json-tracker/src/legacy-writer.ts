import { rm } from 'node:fs/promises'
import { type LegacyContent, legacyFilePieces } from '@skill-metrics/core'
import {
  type DurableWriteOptions,
  type FileFingerprint,
  fingerprintOf,
  modeForFilesBeside,
  writeFileDurably,
} from '@skill-metrics/durable-file'
import { type JournalRecord, type WriterState, writerStatePathOf } from './writer-state.js'

const BATCH_CHARS = 1 << 20

/** Groups small string pieces into buffers of about a megabyte. */
function* batchedBuffers(pieces: Iterable<string>): Generator<Buffer> {
  let batch: string[] = []
  let size = 0
  for (const piece of pieces) {
    batch.push(piece)
    size += piece.length
    if (size >= BATCH_CHARS) {
      yield Buffer.from(batch.join(''))
      batch = []
      size = 0
    }
  }
  if (batch.length > 0) yield Buffer.from(batch.join(''))
}

/** The whole file as one buffer, for an atomic rewrite. */
export function encodeLegacyFile(content: LegacyContent): Buffer {
  return Buffer.concat([...batchedBuffers(legacyFilePieces(content))])
}

/**
 * Streams pieces to a file durably without holding it in memory (the generator and the export).
 * With `exclusive` an existing file is refused; a new file gets `mode` (default 0600).
 */
export async function writePiecesToFile(
  path: string,
  pieces: Iterable<string>,
  options: DurableWriteOptions = {},
): Promise<number> {
  return (await writeFileDurably(path, pieces, options)).size
}

/**
 * Replaces `file` atomically and durably. The state beside it is written first, accepting both the
 * new bytes and the old, so a crash between the two writes is never mistaken for a foreign writer.
 * `logChange` runs after that, before the file is written, with the new bytes' fingerprint; it
 * returns how to take its entry back, which a failed write does. `journal` is what the group
 * commit applied (ARCHITECTURE §5), written with the state before the rename.
 */
export async function replaceLegacyFile(
  file: string,
  bytes: Buffer,
  previous: FileFingerprint | null,
  state: WriterState | null,
  now: string,
  beforeCommit: () => void | Promise<void>,
  logChange?: (written: FileFingerprint) => Promise<() => Promise<void>>,
  journal: (written: FileFingerprint) => JournalRecord | undefined = () => state?.journal,
): Promise<FileFingerprint> {
  const written = fingerprintOf(bytes)
  const accepted = previous === null ? [written] : [written, previous]
  const record = journal(written)
  const statePath = writerStatePathOf(file)
  const mode = await modeForFilesBeside(file)
  await writeFileDurably(
    statePath,
    JSON.stringify({
      accepted,
      written_at: now,
      foreign_writes: state?.foreign_writes ?? [],
      ...(record === undefined ? {} : { journal: record }),
    } satisfies WriterState),
    { mode },
  )
  let unlogChange: (() => Promise<void>) | undefined
  try {
    unlogChange = await logChange?.(written)
    await writeFileDurably(file, bytes, { beforeCommit, fingerprint: written })
  } catch (error) {
    // An entry left behind would be harmless (it links only the bytes it names), but a refused
    // write leaves every file beside the legacy file as it was.
    await unlogChange?.().catch(() => {})
    // The file is as it was, so the state goes back to what it was too. Should that fail as well
    // (the disk is full), the new state still accepts the file's unchanged bytes: no false foreign
    // write.
    await (state === null
      ? rm(statePath, { force: true })
      : writeFileDurably(statePath, JSON.stringify(state), { mode })
    ).catch(() => {})
    throw error
  }
  return written
}
