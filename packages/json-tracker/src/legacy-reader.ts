import { createHash } from 'node:crypto'
import { type FileHandle, open, readdir, stat } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import {
  BadInputError,
  checkTopLevel,
  type JsonObject,
  type JsonValue,
  type LegacyInvocation,
  PyFloat,
  parseLegacyInvocation,
  parseSkillAggregate,
  type SkillAggregate,
} from '@skill-metrics/core'
import { jsonParser } from 'stream-json/core/parser.js'

export interface ScanOptions {
  /** Reports an invocation that breaks the schema and goes on, instead of failing the scan. */
  onInvalid?: (error: BadInputError, index: number) => void
  /** Awaited after each chunk of about a megabyte: lets a consumer write out what it collected. */
  afterChunk?: (bytesRead: number) => Promise<void>
}

/** What a pass over a legacy file found, apart from the invocations handed to the callback. */
export interface LegacyScan {
  /** False when the file does not exist: the original then starts an empty tracker. */
  exists: boolean
  skills: Map<string, SkillAggregate>
  last_updated: string | null
  extra: Array<[string, JsonValue]>
  invocationCount: number
  /** Size and sha256 of the bytes that were read, to notice writers that are not us. */
  fingerprint: FileFingerprint | null
}

export interface FileFingerprint {
  size: number
  sha256: string
}

type Token = { name: string; value?: unknown }
type TokenBatch = typeof END_OF_INPUT | { values: Token[] }

/** stream-chain's marker for "no more input", a registered symbol shared by its functions. */
const END_OF_INPUT: unique symbol = Symbol.for('object-stream.none') as never

interface Frame {
  container: JsonValue[] | JsonObject
  key: string | undefined
  /** Set on the top-level `invocations` list: its elements go to the callback, not into memory. */
  streamed: boolean
}

const numberOf = (text: string): number | PyFloat =>
  /[.eE]/.test(text) ? new PyFloat(Number(text)) : Number(text)

/**
 * Reads a legacy file in one streaming pass: each invocation is validated and handed to
 * `onInvocation` (with its index) and then dropped, so a file of millions of records never has to
 * fit in memory. Objects keep their key order, including keys that look like numbers, which
 * `JSON.parse` would move to the front.
 */
export async function scanLegacyFile(
  file: string,
  onInvocation: (invocation: LegacyInvocation, index: number) => void = () => {},
  { onInvalid, afterChunk }: ScanOptions = {},
): Promise<LegacyScan> {
  const info = await statInput(file)
  if (info === undefined) {
    return {
      exists: false,
      skills: new Map(),
      last_updated: null,
      extra: [],
      invocationCount: 0,
      fingerprint: null,
    }
  }
  const hash = createHash('sha256')
  let size = 0
  let sawNonWhitespace = false
  let root: JsonValue | undefined
  let invocationCount = 0
  const stack: Frame[] = []

  const place = (value: JsonValue) => {
    const frame = stack.at(-1)
    if (frame === undefined) {
      root = value
    } else if (frame.streamed) {
      const index = invocationCount
      invocationCount += 1
      if (onInvalid === undefined) {
        onInvocation(parseLegacyInvocation(value, file, index), index)
      } else {
        let invocation: LegacyInvocation
        try {
          invocation = parseLegacyInvocation(value, file, index)
        } catch (error) {
          if (!(error instanceof BadInputError)) throw error
          onInvalid(error, index)
          return
        }
        onInvocation(invocation, index)
      }
    } else if (Array.isArray(frame.container)) {
      frame.container.push(value)
    } else {
      frame.container.set(frame.key!, value)
    }
  }
  const open = (container: JsonValue[] | JsonObject) => {
    const parent = stack.at(-1)
    const streamed =
      Array.isArray(container) &&
      stack.length === 1 &&
      parent !== undefined &&
      parent.key === 'invocations'
    stack.push({ container, key: undefined, streamed })
  }
  const close = () => {
    const frame = stack.pop()!
    if (frame.streamed) {
      place([])
    } else {
      place(frame.container)
    }
  }
  const onToken = (token: Token) => {
    switch (token.name) {
      case 'startObject':
        return open(new Map())
      case 'startArray':
        return open([])
      case 'endObject':
      case 'endArray':
        return close()
      case 'keyValue':
        stack.at(-1)!.key = token.value as string
        return
      case 'stringValue':
        return place(token.value as string)
      case 'numberValue':
        return place(numberOf(token.value as string))
      case 'nullValue':
        return place(null)
      case 'trueValue':
        return place(true)
      case 'falseValue':
        return place(false)
    }
  }

  const tokenize = jsonParser({ streamValues: false }) as unknown as (
    input: string | typeof END_OF_INPUT,
  ) => TokenBatch
  const consume = (tokens: TokenBatch) => {
    if (tokens !== END_OF_INPUT) for (const token of tokens.values) onToken(token)
  }
  const handle = await openInput(file)
  try {
    // stream-json's tokenizer called directly: its stream wrappers cost twice the time in
    // per-token events. A fatal decoder refuses invalid UTF-8 instead of rewriting it as U+FFFD.
    const decoder = new TextDecoder('utf-8', { fatal: true })
    const buffer = Buffer.allocUnsafe(1 << 20)
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) break
      const chunk = buffer.subarray(0, bytesRead)
      hash.update(chunk)
      size += bytesRead
      if (!sawNonWhitespace && /\S/.test(chunk.toString('latin1'))) sawNonWhitespace = true
      consume(tokenize(decoder.decode(chunk, { stream: true })))
      await afterChunk?.(size)
    }
    consume(tokenize(decoder.decode()))
    consume(tokenize(END_OF_INPUT))
  } catch (error) {
    if (error instanceof BadInputError) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (typeof code === 'string' && code !== 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      throw new BadInputError({ file }, `cannot be read (${code})`, { cause: error })
    }
    if (!sawNonWhitespace) {
      throw new BadInputError(
        { file },
        `the file is empty (${size} bytes); the original tracker leaves this after a crash mid-write`,
        { nextStep: await restoreHint(file) },
      )
    }
    throw new BadInputError({ file }, `not valid JSON: ${(error as Error).message}`, {
      cause: error,
    })
  } finally {
    await handle.close()
  }

  const top = checkTopLevel(root!, file)
  const skills = new Map<string, SkillAggregate>()
  const skillsObject = top.get('skills') as JsonObject | undefined
  for (const [key, value] of skillsObject ?? [])
    skills.set(key, parseSkillAggregate(value, file, key))
  const lastUpdated = top.get('last_updated')
  const extra = [...top].filter(([key]) => !KNOWN_TOP_LEVEL.has(key))
  return {
    exists: true,
    skills,
    last_updated: typeof lastUpdated === 'string' ? lastUpdated : null,
    extra,
    invocationCount,
    fingerprint: { size, sha256: hash.digest('hex') },
  }
}

const KNOWN_TOP_LEVEL = new Set(['invocations', 'skills', 'last_updated'])

async function openInput(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new BadInputError({ file }, `cannot be read (${code ?? (error as Error).message})`, {
      cause: error,
    })
  }
}

/** `stat` that turns the ways a path can be unusable into bad input; `undefined` when missing. */
async function statInput(file: string) {
  try {
    const info = await stat(file)
    if (info.isDirectory())
      throw new BadInputError({ file }, 'is a directory, not a legacy JSON file')
    return info
  } catch (error) {
    if (error instanceof BadInputError) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    throw new BadInputError({ file }, `cannot be read (${code ?? (error as Error).message})`, {
      cause: error,
    })
  }
}

async function restoreHint(file: string): Promise<string> {
  const name = basename(file)
  const backups = (await readdir(dirname(file)).catch(() => [] as string[]))
    .filter((entry) => entry.startsWith(`${name}.backup-`))
    .sort()
  return backups.length > 0
    ? `Restore the newest backup: cp ${dirname(file)}/${backups.at(-1)} ${file}`
    : 'No backup of it was found beside it; restore it from your own backups, or remove it to start empty.'
}
