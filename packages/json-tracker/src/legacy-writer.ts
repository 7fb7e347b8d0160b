import { type FileHandle, open } from 'node:fs/promises'
import {
  BadInputError,
  type LegacyContent,
  legacyFilePieces,
  RefusedError,
} from '@skill-metrics/core'

const BATCH_CHARS = 1 << 20

/** Groups small string pieces into buffers of about a megabyte. */
export function* batchedBuffers(pieces: Iterable<string>): Generator<Buffer> {
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
 * Streams pieces to a file without holding it in memory (the generator and the export). With
 * `'wx'` an existing file is refused; a path that cannot be written is bad input.
 */
export async function writePiecesToFile(
  path: string,
  flags: 'w' | 'wx',
  pieces: Iterable<string>,
): Promise<number> {
  let handle: FileHandle
  try {
    handle = await open(path, flags)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') {
      throw new RefusedError(`${path} already exists; it is not overwritten`, {
        nextStep: 'Pass --force to overwrite it, or choose another path.',
      })
    }
    throw new BadInputError(
      { file: path },
      `cannot be written (${code ?? (error as Error).message})`,
      {
        cause: error,
      },
    )
  }
  let bytes = 0
  try {
    for (const buffer of batchedBuffers(pieces)) {
      await handle.write(buffer)
      bytes += buffer.length
    }
    await handle.sync()
  } finally {
    await handle.close()
  }
  return bytes
}
