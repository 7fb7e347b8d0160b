import { type LegacyContent, legacyFilePieces } from '@skill-metrics/core'
import { type DurableWriteOptions, writeFileDurably } from '@skill-metrics/durable-file'

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
