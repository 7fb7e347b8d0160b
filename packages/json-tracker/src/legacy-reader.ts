import { createHash, randomBytes } from 'node:crypto'
import type { BigIntStats, Stats } from 'node:fs'
import { copyFile, type FileHandle, open, readdir, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  BadInputError,
  checkTopLevel,
  type JsonObject,
  type JsonValue,
  type LegacyInvocation,
  parseLegacyInvocationObject,
  parseSkillAggregate,
  type SkillAggregate,
} from '@skill-metrics/core'
import type { FileFingerprint } from '@skill-metrics/durable-file'
import { hasNonWhitespace, LayoutScanner, NotJsonError } from './layout-scanner.js'

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
  /**
   * Read a copy taken while nothing wrote the file, not the file itself: a pass whose consumer is
   * slow (database round trips between chunks) then cannot meet a lockless save halfway.
   */
  snapshot?: boolean
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
  /** The file's modification time when it was read (UTC ISO): when a foreign write landed. */
  modifiedAt: string | null
  /**
   * Which state of the file was read (inode, size, modification time in ns): a later
   * `fileVersionOf` that differs means something wrote it since, a lockless save in place included.
   */
  version: string | null
}

/**
 * The file did not parse and it changed while it was read: a writer that takes no lock (the
 * original tracker saves in place) was halfway through a save. Reading it again shortly after
 * finds the whole save; see `readingThroughTornSaves`.
 */
export class TornReadError extends BadInputError {}

/** The file is not JSON at all (empty, or a syntax error): what a save caught half done looks like. */
export class UnparsableFileError extends BadInputError {}

export type { FileFingerprint }

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
  { snapshot = false, ...options }: ScanOptions = {},
): Promise<LegacyScan> {
  if (!snapshot) return scanFrom(file, file, onInvocation, options)
  const copy = await stableCopyOf(file)
  if (copy === null) return scanFrom(file, file, onInvocation, options)
  try {
    const scan = await scanFrom(copy.path, file, onInvocation, options)
    return { ...scan, modifiedAt: copy.modifiedAt, version: copy.version }
  } finally {
    await rm(copy.path, { force: true })
  }
}

/** How often a copy is taken again because a save landed while it was taken. */
const SNAPSHOT_ATTEMPTS = 20

/**
 * A copy of the file beside it, taken while its version did not change (so no save landed while
 * it was copied); null when the file is missing.
 */
async function stableCopyOf(file: string) {
  for (let attempt = 1; attempt <= SNAPSHOT_ATTEMPTS; attempt += 1) {
    const before = await stat(file, { bigint: true }).catch(() => undefined)
    if (before === undefined) return null
    const path = join(
      dirname(file),
      `.${basename(file)}.snapshot-${process.pid}-${randomBytes(4).toString('hex')}`,
    )
    await copyFile(file, path)
    const after = await stat(file, { bigint: true }).catch(() => undefined)
    if (after !== undefined && versionOf(before) === versionOf(after)) {
      return {
        path,
        version: versionOf(before),
        modifiedAt: new Date(Number(before.mtimeMs)).toISOString(),
      }
    }
    await rm(path, { force: true })
    await sleep(Math.min(250, 20 * attempt))
  }
  throw new TornReadError(
    { file },
    `kept changing while a copy of it was taken (${SNAPSHOT_ATTEMPTS} tries): a writer that takes no lock saves it without pause`,
  )
}

/** One pass reading `source` (the file, or a snapshot of it); messages name `file`. */
async function scanFrom(
  source: string,
  file: string,
  onInvocation: (invocation: LegacyInvocation, index: number) => void,
  { onInvalid, afterChunk, chunkBytes = CHUNK_BYTES }: Omit<ScanOptions, 'snapshot'>,
): Promise<LegacyScan> {
  const info = await statInput(source)
  if (info === undefined) {
    return {
      exists: false,
      skills: new Map(),
      last_updated: null,
      extra: [],
      invocationCount: 0,
      fingerprint: null,
      modifiedAt: null,
      version: null,
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
  const handle = await openInput(source)
  let modifiedAt: string
  let version: string
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
    const read = await handle.stat({ bigint: true })
    modifiedAt = new Date(Number(read.mtimeMs)).toISOString()
    version = versionOf(read)
  } catch (error) {
    if (!(error instanceof NotJsonError)) throw error
    if (await changedSince(source, info)) {
      throw new TornReadError(
        { file },
        `changed while it was read (a writer that takes no lock was saving it): ${error.message}`,
        { cause: error },
      )
    }
    // The original leaves a blank file after a crash mid-write; "blank" is what the previous
    // reader's `/\S/` took for one, so the same files get the restore hint.
    if (!sawNonWhitespace) {
      throw new UnparsableFileError(
        { file },
        `the file is empty (${size} bytes); the original tracker leaves this after a crash mid-write`,
        { nextStep: await restoreHint(file) },
      )
    }
    // Inside the list, the records before the broken one were all delivered: it is the next.
    const where = scanner.inInvocations
      ? { file, record: `invocations[${invocationCount}]` }
      : { file }
    throw new UnparsableFileError(where, `not valid JSON: ${error.message}`, { cause: error.cause })
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
    modifiedAt,
    version,
  }
}

const versionOf = (info: BigIntStats) => `${info.ino}:${info.size}:${info.mtimeNs}`

/** The file's version as `scanLegacyFile` reports it; null when it is missing. */
export async function fileVersionOf(file: string): Promise<string | null> {
  const info = await stat(file, { bigint: true }).catch(() => undefined)
  return info === undefined ? null : versionOf(info)
}

/** Whether the path now names other bytes than `before` described (a save landed or is under way). */
async function changedSince(file: string, before: Stats): Promise<boolean> {
  const now = await stat(file).catch(() => undefined)
  return (
    now === undefined ||
    now.ino !== before.ino ||
    now.size !== before.size ||
    now.mtimeMs !== before.mtimeMs
  )
}

/**
 * A file written this recently may be a save still under way: a save truncates first, and the
 * file can sit empty or half written, unchanged, between two of its writes.
 */
const RECENT_SAVE_MS = 2_000

/** How long reads are retried while they keep meeting a save under way (a 240 MB save takes seconds). */
const TORN_READ_PATIENCE_MS = 10_000

async function writtenJustNow(file: string): Promise<boolean> {
  const info = await stat(file).catch(() => undefined)
  return info !== undefined && Date.now() - info.mtimeMs < RECENT_SAVE_MS
}

/**
 * Runs a whole read of the legacy file again when it may have met a save in progress: one that
 * changed the file during the read (`TornReadError`), or a file that does not parse and was
 * written less than two seconds ago. A lockless in-place save takes milliseconds to seconds, so
 * tries spaced out find it done; a file that stays broken is reported as it is. Every try after
 * the first reads a snapshot (`ScanOptions.snapshot`, which `read` passes on): a slow pass over
 * a file saved more often than the pass lasts would otherwise never get through.
 */
export async function readingThroughTornSaves<T>(
  read: (snapshot: boolean) => Promise<T>,
): Promise<T> {
  const started = Date.now()
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await read(attempt > 1)
    } catch (error) {
      const midSave =
        error instanceof TornReadError ||
        (error instanceof UnparsableFileError && (await writtenJustNow(error.location.file)))
      if (!midSave || Date.now() - started > TORN_READ_PATIENCE_MS) throw error
      await sleep(Math.min(250, 20 * attempt))
    }
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

/** One pass that only wants what the file says (no records handed over), read through saves. */
export function scanThroughTornSaves(file: string): Promise<LegacyScan> {
  return readingThroughTornSaves((snapshot) => scanLegacyFile(file, undefined, { snapshot }))
}
