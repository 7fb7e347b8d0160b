import { type FileHandle, open } from 'node:fs/promises'
import {
  averageDuration,
  BadInputError,
  completionRate,
  type JsonValue,
  type LegacyInvocation,
  RefusedError,
  type SkillAggregate,
} from '@skill-metrics/core'
import { pyInvocation, pyJson, pySkillRecord, pyString } from './python-json.js'

/** What a legacy file holds; `invocations` may be produced lazily while it is written. */
export interface LegacyContent {
  invocations: Iterable<LegacyInvocation>
  skills: ReadonlyMap<string, SkillAggregate>
  last_updated: string | null
  extra: ReadonlyArray<readonly [string, JsonValue]>
}

/** The `invocations` list at the depth of the legacy file and the export, piece by piece. */
export function* invocationListPieces(invocations: Iterable<LegacyInvocation>): Generator<string> {
  let empty = true
  for (const invocation of invocations) {
    yield `${empty ? '[' : ','}\n    ${pyInvocation(invocation)}`
    empty = false
  }
  yield empty ? '[]' : '\n  ]'
}

/** The `skills` object, each record as `SkillMetrics.to_dict()` writes it. */
export function* skillObjectPieces(skills: ReadonlyMap<string, SkillAggregate>): Generator<string> {
  let empty = true
  for (const [name, aggregate] of skills) {
    const record = pySkillRecord({
      ...aggregate,
      completion_rate: completionRate(aggregate),
      avg_duration_seconds: averageDuration(aggregate),
    })
    yield `${empty ? '{' : ','}\n    ${pyString(name)}: ${record}`
    empty = false
  }
  yield empty ? '{}' : '\n  }'
}

/**
 * The file in the original's layout, piece by piece. `skills` is read only after every invocation
 * has been produced, so a generator can fill it while its invocations stream out.
 */
export function* legacyFilePieces(content: LegacyContent): Generator<string> {
  yield '{\n  "invocations": '
  yield* invocationListPieces(content.invocations)
  yield ',\n  "skills": '
  yield* skillObjectPieces(content.skills)
  yield `,\n  "last_updated": ${content.last_updated === null ? 'null' : pyString(content.last_updated)}`
  for (const [key, value] of content.extra) yield `,\n  ${pyString(key)}: ${pyJson(value, 1)}`
  yield '\n}'
}

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
