import { createHash, randomBytes } from 'node:crypto'
import { closeSync, createReadStream, fchmodSync, openSync } from 'node:fs'
import { type FileHandle, link, open, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import { RefusedError } from '@skill-metrics/core'
import { asWriteFailure } from './write-errors.js'

/** Size and sha256 of a file's bytes. */
export interface FileFingerprint {
  size: number
  sha256: string
}

/** What a durable write puts in the file: whole, or in pieces streamed from memory or a file. */
export type Payload = Buffer | string | Iterable<Buffer | string> | AsyncIterable<Buffer | string>

export interface DurableWriteOptions {
  /** Refuse (exit 4) to replace a file that exists, instead of replacing it. */
  exclusive?: boolean
  /** What the refusal of an existing file tells the user to do (default: choose another path). */
  existsNextStep?: string
  /** The mode of a file that does not exist yet (default 0600); an existing file keeps its own. */
  mode?: number
  /**
   * The payload's fingerprint when the caller has already taken it (a buffer it hashed to record
   * it elsewhere first): the payload is not hashed a second time, and the copy must read back as it.
   */
  fingerprint?: FileFingerprint
  /** The payload's size when it streams from a file of known size: named when space runs out. */
  expectedSize?: number
  /** Runs once the copy is verified, right before the rename: the last moment to back out. */
  beforeCommit?: () => void | Promise<void>
}

export const PRIVATE_FILE_MODE = 0o600

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

/**
 * Replaces (or creates) `path` with `payload`, all or nothing: the payload goes whole into a
 * temporary file beside it (short writes are continued), which is fsync'd, read back and compared
 * with the payload's size and sha256, then renamed over `path`, and the folder fsync'd. On any
 * failure the temporary file is removed and `path` is left byte for byte as it was.
 *
 * Why not `write-file-atomic` (7.0.1, which this replaces): it issues one `write` and ignores the
 * count it returns, so on a file system that fills mid-write it renamed a truncated copy over the
 * legacy file (the incident of issue 12). The read-back also catches a file system that reports a
 * write it did not make; it hashes, never parses, so it stays cheap for a 240 MB legacy file.
 *
 * No space, an I/O error or a short write throw `WriteFailedError` (exit 4) naming the file; a
 * folder that is missing or not writable is bad input (exit 3).
 */
export async function writeFileDurably(
  path: string,
  payload: Payload,
  options: DurableWriteOptions = {},
): Promise<FileFingerprint> {
  const existing = await statIfAny(path)
  if (existing !== null && options.exclusive === true) {
    throw existsError(path, options)
  }
  const temporary = `${dirname(path)}/.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  const handle = await openNew(temporary, path)
  const written = { size: 0 }
  let closed = false
  try {
    await keepOwnership(handle, existing, options.mode ?? PRIVATE_FILE_MODE)
    const fingerprint = await writeAll(handle, payload, written, options.fingerprint)
    await handle.sync()
    closed = true
    await handle.close()
    await verifyCopy(temporary, fingerprint, path)
    await options.beforeCommit?.()
    if (options.exclusive === true) {
      // link(2) refuses an existing name atomically, where rename(2) would replace it.
      await link(temporary, path)
      await unlink(temporary)
    } else {
      await rename(temporary, path)
    }
    await syncFolder(dirname(path))
    return fingerprint
  } catch (error) {
    if (!closed) await handle.close().catch(() => {})
    await unlink(temporary).catch(() => {})
    if (error instanceof PayloadFailure) throw error.cause
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && options.exclusive === true) {
      throw existsError(path, options, error)
    }
    throw asWriteFailure(error, path, bytesNeeded(payload, written.size, options.expectedSize))
  }
}

const existsError = (path: string, options: DurableWriteOptions, cause?: unknown) =>
  new RefusedError(`${path} already exists; it is not overwritten`, {
    cause,
    nextStep:
      options.existsNextStep ?? 'Choose another path, or move the existing file away first.',
  })

/**
 * Appends `text` and fsyncs it before returning. A failed append is cut back to where the file
 * ended, so no torn line is left for the next append to be glued to.
 */
export async function appendDurably(
  path: string,
  text: string,
  options: { mode?: number } = {},
): Promise<void> {
  const existing = await statIfAny(path)
  let handle: FileHandle
  try {
    handle = await open(path, 'a', options.mode ?? PRIVATE_FILE_MODE)
  } catch (error) {
    throw openFailure(error, path)
  }
  const written = { size: 0 }
  let endedAt = 0
  try {
    if (existing === null) await handle.chmod(options.mode ?? PRIVATE_FILE_MODE)
    endedAt = (await handle.stat()).size
    await writeAll(handle, text, written)
    await handle.sync()
  } catch (error) {
    await handle.truncate(endedAt).catch(() => {})
    throw asWriteFailure(error, path, `${Buffer.byteLength(text)} bytes`)
  } finally {
    await handle.close().catch(() => {})
  }
}

/**
 * Creates an empty file with `mode` unless one exists (then it keeps its own mode). Synchronous:
 * it runs where a database driver is about to open the file, outside any async flow.
 */
export function createFileIfMissing(path: string, mode = PRIVATE_FILE_MODE): void {
  let fd: number
  try {
    fd = openSync(path, 'wx', mode)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return
    throw openFailure(error, path)
  }
  try {
    fchmodSync(fd, mode)
  } finally {
    closeSync(fd)
  }
}

/** Small pieces (the legacy writer yields one per JSON token) are written in batches of this. */
const BATCH_BYTES = 1 << 20

/**
 * Every byte of the payload, continuing after short writes; a write that makes no progress is a
 * full disk that did not say so. Returns the payload's fingerprint.
 */
async function writeAll(
  handle: FileHandle,
  payload: Payload,
  written: { size: number },
  known?: FileFingerprint,
): Promise<FileFingerprint> {
  const hash = known === undefined ? createHash('sha256') : null
  let batch: Array<Buffer | string> = []
  let batched = 0
  const flush = async () => {
    const [only] = batch
    const buffer =
      batch.length === 1 && Buffer.isBuffer(only)
        ? only
        : batch.every((piece) => typeof piece === 'string')
          ? Buffer.from(batch.join(''))
          : Buffer.concat(
              batch.map((piece) => (typeof piece === 'string' ? Buffer.from(piece) : piece)),
            )
    batch = []
    batched = 0
    hash?.update(buffer)
    let offset = 0
    while (offset < buffer.length) {
      const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset)
      if (bytesWritten <= 0) {
        throw Object.assign(new Error('a write made no progress'), { code: 'SHORT_WRITE' })
      }
      offset += bytesWritten
      written.size += bytesWritten
    }
  }
  for await (const piece of sourceFailuresMarked(payload)) {
    batch.push(piece)
    batched += piece.length
    if (batched >= BATCH_BYTES) await flush()
  }
  if (batch.length > 0) await flush()
  return hash === null ? known! : { size: written.size, sha256: hash.digest('hex') }
}

/** The payload's size when known before it is written; else more than what was written. */
function bytesNeeded(payload: Payload, written: number, expected: number | undefined): string {
  if (expected !== undefined) return `${expected} bytes`
  if (typeof payload === 'string') return `${Buffer.byteLength(payload)} bytes`
  if (Buffer.isBuffer(payload)) return `${payload.length} bytes`
  return `more than ${written} bytes`
}

/** An error of the payload's source (a file being copied), not of the write: passed on as it is. */
class PayloadFailure {
  constructor(readonly cause: unknown) {}
}

async function* sourceFailuresMarked(payload: Payload): AsyncGenerator<Buffer | string> {
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
    yield payload
    return
  }
  const pieces =
    Symbol.asyncIterator in payload ? payload[Symbol.asyncIterator]() : payload[Symbol.iterator]()
  let finished = false
  try {
    for (;;) {
      let next: IteratorResult<Buffer | string>
      try {
        next = await pieces.next()
      } catch (error) {
        finished = true
        throw new PayloadFailure(error)
      }
      if (next.done === true) {
        finished = true
        return
      }
      yield next.value
    }
  } finally {
    // A write that failed stops the source too (a file stream is closed, not left open).
    if (!finished) await pieces.return?.()
  }
}

async function verifyCopy(temporary: string, expected: FileFingerprint, path: string) {
  const found = await fingerprintFile(temporary)
  if (found === null || found.size !== expected.size || found.sha256 !== expected.sha256) {
    throw Object.assign(
      new Error(
        `the copy written for ${path} read back as ${found?.size ?? 0} bytes with another sha256 than the ${expected.size} bytes written`,
      ),
      { code: 'READ_BACK_MISMATCH' },
    )
  }
}

/** A new file gets `mode` exactly (whatever the umask); a replaced one keeps its mode and owner. */
async function keepOwnership(
  handle: FileHandle,
  existing: Awaited<ReturnType<typeof stat>> | null,
  mode: number,
): Promise<void> {
  await handle.chmod(existing === null ? mode : Number(existing.mode) & 0o7777)
  if (existing !== null && process.getuid?.() === 0) {
    await handle.chown(Number(existing.uid), Number(existing.gid))
  }
}

async function openNew(temporary: string, path: string): Promise<FileHandle> {
  try {
    return await open(temporary, 'wx', PRIVATE_FILE_MODE)
  } catch (error) {
    throw openFailure(error, path)
  }
}

const openFailure = (error: unknown, path: string) => asWriteFailure(error, path, 'a new file')

async function statIfAny(path: string) {
  try {
    return await stat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw openFailure(error, path)
  }
}

/** fsync of a folder: a new or renamed entry is durable only then. */
async function syncFolder(path: string): Promise<void> {
  const handle = await open(path, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
