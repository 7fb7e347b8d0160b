import { isUtf8 } from 'node:buffer'
import type { JsonObject, JsonValue } from '@skill-metrics/core'
import { parseOrderedJson } from './ordered-json.js'

/** The bytes are not JSON (or not UTF-8); the message says where. */
export class NotJsonError extends Error {}

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

export function hasNonWhitespace(bytes: Uint8Array): boolean {
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
export class LayoutScanner {
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
