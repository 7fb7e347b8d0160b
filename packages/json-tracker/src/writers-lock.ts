import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rmdir, stat, unlink, utimes, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { BadInputError, LockTimeoutError } from '@skill-metrics/core'
import { PRIVATE_FILE_MODE } from '@skill-metrics/durable-file'
import { type LockHost, lockHostFor } from './lock-host.js'

/** How long a writer waits for the lock before it gives up (ARCHITECTURE §5): longer than any freeze. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000

/**
 * A lock whose holder stopped refreshing it for this long is taken as abandoned (its process was
 * killed). The holder refreshes it every `LOCK_REFRESH_MS` from a timer: for a large file from a
 * worker thread, which the work done under the lock cannot block (`lock-host.ts`).
 */
export const LOCK_STALE_MS = 10_000
const LOCK_REFRESH_MS = 2_000

export interface LockOptions {
  timeoutMs?: number
  /**
   * The work never reads or rewrites the legacy file whole (a drain into the database): the lock
   * is refreshed from the event loop, which such work never blocks for long, whatever the file's
   * size. A thread's start cost each Python completion in db-primary about 20 ms at 100,000
   * invocations (the bench), five times the rest of it.
   */
  brief?: boolean
}

/** Handed to the work done under the lock, to check before an irreversible step. */
export interface HeldLock {
  /** Throws when another process took the lock over (we stalled past `LOCK_STALE_MS`). */
  assertHeld(): void
}

export function lockPathOf(file: string): string {
  return `${file}.lock`
}

/** The folder where waiters for the writers' lock of `file` take their tickets. */
export function lockQueuePathOf(file: string): string {
  return `${file}.lock-queue`
}

const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8)
const POLL_MS = 25

/**
 * proper-lockfile is polled, not queued: when a holder releases, whichever waiter polls first
 * wins, so with eight writers rewriting a large file one of them could lose race after race and
 * wait past the timeout (seen in the smoke runs). Waiters therefore take a ticket — a file named
 * by arrival time — and only the first live ticket may try the lock, which makes waits first come,
 * first served: a writer waits for those ahead of it, never for newcomers. A ticket is refreshed
 * while its waiter lives; one whose process is gone (same host) or that went unrefreshed for
 * `LOCK_STALE_MS` is removed by the next waiter that sees it.
 */
class LockTicket {
  readonly #queue: string
  readonly #name: string
  readonly #refresh: NodeJS.Timeout

  private constructor(queue: string, name: string) {
    this.#queue = queue
    this.#name = name
    this.#refresh = setInterval(() => void this.#touch(), LOCK_REFRESH_MS)
    this.#refresh.unref()
  }

  static async take(file: string): Promise<LockTicket> {
    const queue = lockQueuePathOf(file)
    const arrival = String(Date.now()).padStart(15, '0')
    const name = `${arrival}-${randomBytes(4).toString('hex')}-${HOST}-${process.pid}`
    const ticket = new LockTicket(queue, name)
    await ticket.#write()
    return ticket
  }

  get #path(): string {
    return join(this.#queue, this.#name)
  }

  async #write(): Promise<void> {
    // The last waiter to leave removes the folder, possibly while we create it (a recursive mkdir
    // then fails with ENOENT) or between our mkdir and our write: try again. Only a folder that
    // cannot be created at all makes every attempt fail.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await mkdir(this.#queue, { recursive: true })
        // Empty, but beside the legacy file like every file the tool makes: private as they are.
        await writeFile(this.#path, '', { mode: PRIVATE_FILE_MODE })
        return
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 100) throw error
        // A random pause, so that we do not keep meeting a waiter that comes and goes in step.
        await sleep(Math.random() * 3)
      }
    }
  }

  async #touch(): Promise<void> {
    const now = new Date()
    try {
      await utimes(this.#path, now, now)
    } catch (error) {
      // Removed as stale while this process stalled: the same name takes back the same place. If
      // even that fails, the waiter only loses its place in the queue (the next refresh tries
      // again); the lock itself, and its timeout, are not affected.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') await this.#write().catch(() => {})
    }
  }

  /** True when no live ticket is ahead of this one; removes the dead ones it passes. */
  async isFirst(): Promise<boolean> {
    const names = (await readdir(this.#queue).catch(() => [] as string[])).sort()
    for (const name of names) {
      if (name >= this.#name) return true
      if (await isLive(join(this.#queue, name), name)) return false
      await unlink(join(this.#queue, name)).catch(() => {})
    }
    return true
  }

  async leave(): Promise<void> {
    clearInterval(this.#refresh)
    await unlink(this.#path).catch(() => {})
    await rmdir(this.#queue).catch(() => {})
  }
}

async function isLive(path: string, name: string): Promise<boolean> {
  const [, , host, pid] = name.split('-')
  if (host === HOST && pid !== undefined && !processExists(Number(pid))) return false
  const info = await stat(path).catch(() => undefined)
  return info !== undefined && Date.now() - info.mtimeMs < LOCK_STALE_MS
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Runs `work` while holding the writers' lock of `file`, the one lock that every legacy-file write
 * (and later every phase transition) takes. Waits up to the timeout, then throws `LockTimeoutError`.
 */
export async function withWritersLock<T>(
  file: string,
  work: (lock: HeldLock) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const outcome = await withWritersLockUnless(
    file,
    work,
    async (): Promise<never> => undefined as never,
    options,
  )
  return 'held' in outcome ? outcome.held : outcome.resolved
}

export interface WaitOptions extends LockOptions {
  /** Appended to the time-out's message: what became of the waiter's work. */
  timeoutNote?: () => string
}

/**
 * `withWritersLock`, with a way out for a waiter whose work someone else may do: `whileWaiting`
 * runs between attempts, and when it gives a value the wait ends with it, without the lock (how a
 * group-commit waiter learns that the holder applied its journaled change).
 */
export async function withWritersLockUnless<T, W>(
  file: string,
  work: (lock: HeldLock) => Promise<T>,
  whileWaiting: () => Promise<W | undefined>,
  { timeoutMs = DEFAULT_LOCK_TIMEOUT_MS, timeoutNote = () => '', brief = false }: WaitOptions = {},
): Promise<{ held: T } | { resolved: W }> {
  try {
    await mkdir(dirname(file), { recursive: true })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new BadInputError(
      { file },
      `its folder cannot be created (${code ?? (error as Error).message})`,
      { cause: error },
    )
  }
  const host = await lockHostFor(
    file,
    {
      realpath: false,
      lockfilePath: lockPathOf(file),
      stale: LOCK_STALE_MS,
      update: LOCK_REFRESH_MS,
      retries: 0,
    },
    brief,
  )
  try {
    const resolved = await takeLock(file, host, timeoutMs, whileWaiting, timeoutNote)
    if (resolved !== undefined) return { resolved }
    try {
      return {
        held: await work({
          assertHeld() {
            const lost = host.lost()
            if (lost !== undefined) {
              throw new LockTimeoutError(`lost the writers' lock of ${file}: ${lost.message}`)
            }
          },
        }),
      }
    } finally {
      if (host.lost() === undefined) {
        await unlink(lockOwnerPathOf(file)).catch(() => {})
        await host.release()
      }
    }
  } finally {
    await host.close()
  }
}

/** Takes the lock (and returns undefined), or returns what `whileWaiting` gave first. */
async function takeLock<W>(
  file: string,
  host: LockHost,
  timeoutMs: number,
  whileWaiting: () => Promise<W | undefined>,
  timeoutNote: () => string,
): Promise<W | undefined> {
  const deadline = Date.now() + timeoutMs
  const ticket = await LockTicket.take(file)
  try {
    for (let attempt = 0; ; attempt += 1) {
      // Asked before each attempt but the first, so a waiter whose work is done never takes the lock.
      if (attempt > 0) {
        const resolved = await whileWaiting()
        if (resolved !== undefined) return resolved
      }
      if (await ticket.isFirst()) {
        try {
          await host.lock()
          await nameOwner(file)
          return undefined
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error
          if (await heldByDeadProcess(file)) continue
        }
      }
      if (Date.now() >= deadline) {
        throw new LockTimeoutError(
          `the writers' lock of ${file} is held by another process; gave up after ${timeoutMs} ms${timeoutNote()}`,
          {
            nextStep: `Wait for the other skill-metrics process to finish. A lock left by a process killed on this host (${lockPathOf(file)}) is taken over at once, from another host after ${LOCK_STALE_MS / 1000} s.`,
          },
        )
      }
      // Jittered, so that waiters do not poll the queue in lock step.
      await sleep(Math.min(2 * 2 ** attempt, POLL_MS) * (0.5 + Math.random()))
    }
  } finally {
    await ticket.leave()
  }
}

/** Who holds the writers' lock: host and process, written by the holder once it has the lock. */
export function lockOwnerPathOf(file: string): string {
  return `${file}.lock-owner`
}

/** The newline ends a whole name: a write cut short by a full disk names no one. */
const OWNER = `${HOST}-${process.pid}\n`

/**
 * Named before leaving the queue: the next waiter to come first must never read the name of the
 * holder before us on a lock that is ours. The old name goes first; if ours cannot be written
 * (a full disk), the lock has no name and goes stale as it always did.
 */
async function nameOwner(file: string): Promise<void> {
  try {
    await unlink(lockOwnerPathOf(file)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error
    })
    await writeFile(lockOwnerPathOf(file), OWNER, { mode: PRIVATE_FILE_MODE })
  } catch {
    // Not recorded anywhere: the lock is held either way, and only its takeover is slower.
    await unlink(lockOwnerPathOf(file)).catch(() => {})
  }
}

/**
 * A holder killed with the lock would make every writer wait `LOCK_STALE_MS` for it to go stale.
 * On this host a dead holder is known at once: its lock is removed and taken now. Only the first
 * waiter in the queue looks, and a holder names itself before it leaves the queue, so the name
 * read is the holder's own; a lock with no name (taken, not yet named) is left to go stale.
 */
async function heldByDeadProcess(file: string): Promise<boolean> {
  const owner = await readFile(lockOwnerPathOf(file), 'utf8').catch(() => '')
  const named = /^([0-9a-f]{8})-(\d+)\n$/.exec(owner)
  if (named === null || named[1] !== HOST || processExists(Number(named[2]))) return false
  await unlink(lockOwnerPathOf(file)).catch(() => {})
  await rmdir(lockPathOf(file)).catch(() => {})
  return true
}
