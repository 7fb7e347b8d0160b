import { isUtf8 } from 'node:buffer'
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
  parseLegacyInvocationObject,
  parseSkillAggregate,
  type SkillAggregate,
} from '@skill-metrics/core'
import type { FileFingerprint } from '@skill-metrics/durable-file'
import { jsonParser } from 'stream-json/core/parser.js'

export interface ScanOptions {
  /** Reports an invocation that breaks the schema and goes on, instead of failing the scan. */
  onInvalid?: (error: BadInputError, index: number) => void
  /**
   * Awaited after each chunk (at most `chunkBytes`), once every record that ends in the bytes
   * read so far was handed over: lets a consumer write out what it collected.
   */
  afterChunk?: (bytesRead: number) => Promise<void>
  /** Bytes read at a time, 4 MiB; tests make it tiny to put chunk boundaries everywhere. */
  chunkBytes?: number
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

export type { FileFingerprint }

type Token = { name: string; value?: unknown }
type TokenBatch = typeof END_OF_INPUT | { values: Token[] }

/** stream-chain's marker for "no more input", a registered symbol shared by its functions. */
const END_OF_INPUT: unique symbol = Symbol.for('object-stream.none') as never

const numberOf = (text: string): number | PyFloat =>
  /[.eE]/.test(text) ? new PyFloat(Number(text)) : Number(text)

/**
 * JSON text to a JsonValue that keeps what `JSON.parse` loses: key order, even for keys that look
 * like numbers (which `JSON.parse` moves to the front), and whether a number was written as a
 * float (`1.0` stays a PyFloat). Used for the top-level values beside `invocations`, which are
 * small, and for the tests' reference reading of whole files.
 */
export function parseOrderedJson(text: string): JsonValue {
  const stack: Array<{ container: JsonValue[] | JsonObject; key: string | undefined }> = []
  let root: JsonValue | undefined
  const place = (value: JsonValue) => {
    const frame = stack.at(-1)
    if (frame === undefined) root = value
    else if (Array.isArray(frame.container)) frame.container.push(value)
    else frame.container.set(frame.key!, value)
  }
  const onToken = (token: Token) => {
    switch (token.name) {
      case 'startObject':
        stack.push({ container: new Map(), key: undefined })
        return
      case 'startArray':
        stack.push({ container: [], key: undefined })
        return
      case 'endObject':
      case 'endArray':
        return place(stack.pop()!.container)
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
  consume(tokenize(text))
  consume(tokenize(END_OF_INPUT))
  return root!
}

/** Bytes read at a time: bounds the records a consumer collects between two `afterChunk`s. */
const CHUNK_BYTES = 4 << 20

/**
 * Reads a legacy file in one streaming pass: each invocation is validated and handed to
 * `onInvocation` (with its index) and then dropped, so a file of millions of records never has to
 * fit in memory. Objects keep their key order, including keys that look like numbers.
 */
export async function scanLegacyFile(
  file: string,
  onInvocation: (invocation: LegacyInvocation, index: number) => void = () => {},
  { onInvalid, afterChunk, chunkBytes = CHUNK_BYTES }: ScanOptions = {},
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
  let invocationCount = 0
  const deliver = (value: unknown) => {
    const index = invocationCount
    invocationCount += 1
    if (onInvalid === undefined) {
      onInvocation(parseLegacyInvocationObject(value, file, index), index)
      return
    }
    let invocation: LegacyInvocation
    try {
      invocation = parseLegacyInvocationObject(value, file, index)
    } catch (error) {
      if (!(error instanceof BadInputError)) throw error
      onInvalid(error, index)
      return
    }
    onInvocation(invocation, index)
  }
  const scanner = new LayoutScanner(deliver)
  const hash = createHash('sha256')
  let size = 0
  let sawNonWhitespace = false
  const handle = await openInput(file)
  try {
    for (;;) {
      scanner.makeRoom(chunkBytes)
      let bytesRead: number
      try {
        ;({ bytesRead } = await handle.read(scanner.work, scanner.end, chunkBytes, null))
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
        throw new BadInputError({ file }, `cannot be read (${code})`, { cause: error })
      }
      if (bytesRead === 0) break
      const chunk = scanner.work.subarray(scanner.end, scanner.end + bytesRead)
      hash.update(chunk)
      size += bytesRead
      sawNonWhitespace ||= hasNonWhitespace(chunk)
      scanner.add(bytesRead)
      await afterChunk?.(size)
    }
    scanner.finish()
  } catch (error) {
    if (!(error instanceof NotJsonError)) throw error
    // The original leaves a blank file after a crash mid-write; "blank" is what the previous
    // reader's `/\S/` took for one, so the same files get the restore hint.
    if (!sawNonWhitespace) {
      throw new BadInputError(
        { file },
        `the file is empty (${size} bytes); the original tracker leaves this after a crash mid-write`,
        { nextStep: await restoreHint(file) },
      )
    }
    // Inside the list, the records before the broken one were all delivered: it is the next.
    const where = scanner.inInvocations
      ? { file, record: `invocations[${invocationCount}]` }
      : { file }
    throw new BadInputError(where, `not valid JSON: ${error.message}`, { cause: error.cause })
  } finally {
    await handle.close()
  }

  const top = checkTopLevel(scanner.root(), file)
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

/** The bytes are not JSON (or not UTF-8); the message says where. */
class NotJsonError extends Error {}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_LIST = 0x5b
const CLOSE_LIST = 0x5d
const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf]

const JSON_WHITESPACE = new Uint8Array(256)
for (const byte of [0x20, 0x09, 0x0a, 0x0d]) JSON_WHITESPACE[byte] = 1
/** Bytes that end a number or a literal; anything else belongs to it and its parser judges it. */
const ENDS_SCALAR = new Uint8Array(JSON_WHITESPACE)
for (const byte of [COMMA, COLON, QUOTE, OPEN_OBJECT, CLOSE_OBJECT, OPEN_LIST, CLOSE_LIST]) {
  ENDS_SCALAR[byte] = 1
}
/** `/\s/` on a byte read as Latin-1, as the previous reader tested for an empty file. */
const BLANK = new Uint8Array(JSON_WHITESPACE)
for (const byte of [0x0b, 0x0c, 0xa0]) BLANK[byte] = 1

function hasNonWhitespace(bytes: Uint8Array): boolean {
  for (let at = 0; at < bytes.length; at++) if (BLANK[bytes[at]!] === 0) return true
  return false
}

/** Where the top-level scan is: what the next byte that is not whitespace may be. */
const BEFORE_ROOT = 0
const FIRST_KEY = 1
const NEXT_KEY = 2
const AFTER_KEY = 3
const TOP_VALUE = 4
const AFTER_TOP_VALUE = 5
const FIRST_ELEMENT = 6
const NEXT_ELEMENT = 7
const AFTER_ELEMENT = 8
const DONE = 9

/**
 * Bytes of elements parsed by one `JSON.parse`: the text and the records it makes then stay small
 * enough to die young; a chunk-sized text is allocated in the old generation and grew the heap
 * by 100 MB of garbage before a full collection.
 */
const BATCH_BYTES = 64 << 10

/** What the value being scanned is: its end is found differently. */
const NESTED = 0
const SCALAR = 1

/**
 * The legacy layout read without a general JSON tokenizer: stream-json over every byte took 9 s
 * for 1M records. Bytes are followed only as far as the top level needs (whitespace, strings,
 * bracket depth) to find where each value ends; the elements of `invocations` go to `JSON.parse`,
 * the other top-level values (small) to `parseOrderedJson`. Following bytes in JavaScript alone
 * costs 0.8 s for 1M records, so elements are parsed in runs: everything up to the last `}`
 * within `BATCH_BYTES`, as one `JSON.parse` of `[...]`. When that parses, the slice is a run of
 * whole elements (a JSON parse never depends on what follows); when it does not (that `}` is in
 * a string or closes something else, or the bytes are not JSON), those bytes are scanned one
 * element at a time, which also finds the error where it is. A value can span chunks: its bytes
 * are kept and the next chunk is read after them.
 */
class LayoutScanner {
  work = Buffer.allocUnsafe(0)
  /** File offset of `work[0]`. */
  private base = 0
  end = 0
  /** Next byte to look at; one past `end` after a backslash that ends the bytes read. */
  private pos = 0
  /** `work[0, checked)` is known to be UTF-8; a sequence cut by the chunk's end waits. */
  private checked = 0
  private state = BEFORE_ROOT
  /** Start of the value (or key, or element) being scanned, -1 between values. */
  private valueStart = -1
  private kind = NESTED
  private depth = 0
  private inString = false
  /** File offset up to which elements are taken one by one, after a slice that did not parse. */
  private exactUntil = 0
  private key: string | undefined
  private readonly top: JsonObject = new Map()
  private rootIsObject = false
  private rootValue: JsonValue | undefined

  constructor(private readonly deliver: (element: unknown) => void) {}

  /** Whether the scan is inside the `invocations` list, where an error names the record. */
  get inInvocations(): boolean {
    return this.state >= FIRST_ELEMENT && this.state <= AFTER_ELEMENT
  }

  /** Drops the bytes no longer needed, so `chunkBytes` more fit after `end`. */
  makeRoom(chunkBytes: number): void {
    const keep = Math.min(this.valueStart === -1 ? this.pos : this.valueStart, this.checked)
    if (keep > 0) {
      this.work.copyWithin(0, keep, this.end)
      this.base += keep
      this.end -= keep
      this.pos -= keep
      this.checked -= keep
      if (this.valueStart !== -1) this.valueStart -= keep
    }
    if (this.work.length - this.end < chunkBytes) {
      const larger = Buffer.allocUnsafe(
        Math.max(this.end + chunkBytes + BATCH_BYTES, this.work.length * 2),
      )
      this.work.copy(larger, 0, 0, this.end)
      this.work = larger
    }
  }

  /** Takes `bytesRead` bytes read at `end`, and everything they complete. */
  add(bytesRead: number): void {
    this.end += bytesRead
    this.checkUtf8(utf8Boundary(this.work, this.checked, this.end))
    this.scan(false)
  }

  finish(): void {
    this.checkUtf8(this.end)
    this.scan(true)
    if (this.state !== DONE) {
      throw new NotJsonError(`the file ends (${this.base + this.end} bytes) before the JSON does`)
    }
  }

  root(): JsonValue {
    return this.state === DONE && this.rootIsObject ? this.top : this.rootValue!
  }

  private checkUtf8(upTo: number): void {
    if (isUtf8(this.work.subarray(this.checked, upTo))) {
      this.checked = upTo
      return
    }
    throw new NotJsonError(
      `not UTF-8: an invalid byte sequence between bytes ${this.base + this.checked} and ${this.base + upTo}`,
    )
  }

  private scan(final: boolean): void {
    const work = this.work
    for (;;) {
      if (this.valueStart !== -1) {
        if (!this.scanValue(final)) return
        this.completeValue()
        continue
      }
      let pos = this.pos
      while (pos < this.end && JSON_WHITESPACE[work[pos]!] === 1) pos++
      this.pos = pos
      if (pos >= this.end) return
      const byte = work[pos]!
      switch (this.state) {
        case BEFORE_ROOT:
          if (this.base + pos < 3 && byte === BYTE_ORDER_MARK[this.base + pos]) {
            this.pos += 1
          } else if (byte === OPEN_OBJECT) {
            this.rootIsObject = true
            this.step(FIRST_KEY)
          } else {
            this.startValue(byte)
          }
          break
        case FIRST_KEY:
        case NEXT_KEY:
          if (byte === QUOTE) this.startValue(byte)
          else if (byte === CLOSE_OBJECT && this.state === FIRST_KEY) this.step(DONE)
          else this.unexpected(pos)
          break
        case AFTER_KEY:
          if (byte === COLON) this.step(TOP_VALUE)
          else this.unexpected(pos)
          break
        case TOP_VALUE:
          if (byte === OPEN_LIST && this.key === 'invocations') {
            this.top.set(this.key, [])
            this.step(FIRST_ELEMENT)
          } else {
            this.startValue(byte)
          }
          break
        case AFTER_TOP_VALUE:
          if (byte === COMMA) this.step(NEXT_KEY)
          else if (byte === CLOSE_OBJECT) this.step(DONE)
          else this.unexpected(pos)
          break
        case FIRST_ELEMENT:
        case NEXT_ELEMENT:
          if (byte === CLOSE_LIST && this.state === FIRST_ELEMENT) this.step(AFTER_TOP_VALUE)
          else if (this.base + pos < this.exactUntil || !this.parseElements()) this.startValue(byte)
          break
        case AFTER_ELEMENT:
          if (byte === COMMA) this.step(NEXT_ELEMENT)
          else if (byte === CLOSE_LIST) this.step(AFTER_TOP_VALUE)
          else this.unexpected(pos)
          break
        default:
          this.unexpected(pos)
      }
    }
  }

  /** Moves past the structural byte at `pos`. */
  private step(state: number): void {
    this.state = state
    this.pos += 1
  }

  private unexpected(pos: number): never {
    const byte = this.work[pos]!
    const shown =
      byte >= 0x20 && byte < 0x7f
        ? JSON.stringify(String.fromCharCode(byte))
        : `byte 0x${byte.toString(16)}`
    throw new NotJsonError(`unexpected ${shown} at byte ${this.base + pos}`)
  }

  private startValue(byte: number): void {
    if (byte === CLOSE_OBJECT || byte === CLOSE_LIST || byte === COMMA || byte === COLON) {
      this.unexpected(this.pos)
    }
    this.valueStart = this.pos
    this.kind = ENDS_SCALAR[byte] === 1 ? NESTED : SCALAR
    if (this.kind === NESTED) {
      this.inString = byte === QUOTE
      this.depth = byte === QUOTE ? 0 : 1
      this.pos += 1
    }
  }

  /** Moves `pos` to the end of the value at `valueStart`; false when the bytes run out first. */
  private scanValue(final: boolean): boolean {
    const work = this.work
    const end = this.end
    let pos = this.pos
    if (this.kind === SCALAR) {
      while (pos < end && ENDS_SCALAR[work[pos]!] === 0) pos++
      this.pos = pos
      return pos < end || final
    }
    let depth = this.depth
    let inString = this.inString
    while (pos < end) {
      const byte = work[pos++]!
      if (inString) {
        if (byte === QUOTE) {
          inString = false
          if (depth === 0) break
        } else if (byte === BACKSLASH) {
          pos += 1
        }
      } else if (byte === QUOTE) {
        inString = true
      } else if (byte === OPEN_OBJECT || byte === OPEN_LIST) {
        depth += 1
      } else if (byte === CLOSE_OBJECT || byte === CLOSE_LIST) {
        depth -= 1
        if (depth === 0) break
      }
    }
    this.pos = pos
    this.depth = depth
    this.inString = inString
    return !inString && depth === 0 && pos <= end
  }

  private completeValue(): void {
    const start = this.valueStart
    const text = this.work.toString('utf8', start, this.pos)
    this.valueStart = -1
    switch (this.state) {
      case BEFORE_ROOT:
        this.rootValue = this.parseOrdered(text, start)
        this.state = DONE
        return
      case FIRST_KEY:
      case NEXT_KEY:
        this.key = this.parse(text, start) as string
        this.state = AFTER_KEY
        return
      case TOP_VALUE:
        this.top.set(this.key!, this.parseOrdered(text, start))
        this.state = AFTER_TOP_VALUE
        return
      default:
        this.state = AFTER_ELEMENT
        this.deliver(this.parse(text, start))
    }
  }

  /**
   * Parses the elements up to the last `}` within `BATCH_BYTES` in one go. False when that slice
   * is not a run of whole valid elements (the `}` closes something else or sits in a string, or
   * the bytes are not JSON): the bytes up to the limit are then scanned element by element, and
   * not offered again, so a layout this does not fit costs one failed parse per slice, no more.
   */
  private parseElements(): boolean {
    const limit = Math.min(this.end, this.pos + BATCH_BYTES)
    const last = this.work.lastIndexOf(CLOSE_OBJECT, limit - 1)
    let elements: unknown[] | undefined
    if (last >= this.pos) {
      try {
        elements = JSON.parse(`[${this.work.toString('utf8', this.pos, last + 1)}]`)
      } catch {}
    }
    if (elements === undefined) {
      this.exactUntil = this.base + limit
      return false
    }
    this.pos = last + 1
    this.state = AFTER_ELEMENT
    for (const element of elements) this.deliver(element)
    return true
  }

  private parse(text: string, start: number): unknown {
    try {
      return JSON.parse(text)
    } catch (error) {
      throw this.notJson(error, start)
    }
  }

  private parseOrdered(text: string, start: number): JsonValue {
    try {
      return parseOrderedJson(text)
    } catch (error) {
      throw this.notJson(error, start)
    }
  }

  private notJson(error: unknown, start: number): NotJsonError {
    return new NotJsonError(
      `${(error as Error).message} (in the value at byte ${this.base + start})`,
      { cause: error },
    )
  }
}

/**
 * Where the bytes `[from, end)` stop being whole UTF-8 sequences: before a sequence that the end
 * of the chunk cut, which is checked with the next chunk.
 */
function utf8Boundary(bytes: Buffer, from: number, end: number): number {
  for (let back = 1; back <= 3 && end - back >= from; back++) {
    const byte = bytes[end - back]!
    if (byte < 0x80) return end
    if (byte >= 0xc0) {
      const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2
      return length > back ? end - back : end
    }
  }
  return end
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
