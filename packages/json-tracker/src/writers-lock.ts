import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { BadInputError, LockTimeoutError } from '@skill-metrics/core'
import lockfile from 'proper-lockfile'

/** How long a writer waits for the lock before it gives up (ARCHITECTURE §5): longer than any freeze. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000

/**
 * A lock whose holder stopped refreshing it for this long is taken as abandoned (its process was
 * killed). The holder refreshes it every `LOCK_REFRESH_MS` from a timer, so the work done under the
 * lock must never block the event loop for that long.
 */
export const LOCK_STALE_MS = 10_000
const LOCK_REFRESH_MS = 2_000

export interface LockOptions {
  timeoutMs?: number
}

/** Handed to the work done under the lock, to check before an irreversible step. */
export interface HeldLock {
  /** Throws when another process took the lock over (we stalled past `LOCK_STALE_MS`). */
  assertHeld(): void
}

export function lockPathOf(file: string): string {
  return `${file}.lock`
}

/**
 * Runs `work` while holding the writers' lock of `file`, the one lock that every legacy-file write
 * (and later every phase transition) takes. Waits up to the timeout, then throws `LockTimeoutError`.
 */
export async function withWritersLock<T>(
  file: string,
  work: (lock: HeldLock) => Promise<T>,
  { timeoutMs = DEFAULT_LOCK_TIMEOUT_MS }: LockOptions = {},
): Promise<T> {
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
  let compromised: Error | undefined
  const options = {
    realpath: false,
    lockfilePath: lockPathOf(file),
    stale: LOCK_STALE_MS,
    update: LOCK_REFRESH_MS,
    retries: 0,
    onCompromised: (error: Error) => {
      compromised = error
    },
  }
  const deadline = Date.now() + timeoutMs
  let release: (() => Promise<void>) | undefined
  for (let attempt = 0; release === undefined; attempt += 1) {
    try {
      release = await lockfile.lock(file, options)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error
      if (Date.now() >= deadline) {
        throw new LockTimeoutError(
          `the writers' lock of ${file} is held by another process; gave up after ${timeoutMs} ms`,
          {
            nextStep: `Wait for the other skill-metrics process to finish. A lock left by a killed process (${lockPathOf(file)}) is taken over after ${LOCK_STALE_MS / 1000} s.`,
          },
        )
      }
      // Growing, jittered back-off: many writers waiting on one file must not poll in lock step.
      await sleep(Math.min(2 * 2 ** attempt, 25) * (0.5 + Math.random()))
    }
  }
  try {
    return await work({
      assertHeld() {
        if (compromised !== undefined) {
          throw new LockTimeoutError(`lost the writers' lock of ${file}: ${compromised.message}`)
        }
      },
    })
  } finally {
    if (compromised === undefined) await release()
  }
}
