import { stat } from 'node:fs/promises'
import { Worker } from 'node:worker_threads'
import lockfile from 'proper-lockfile'

/** proper-lockfile's options for the writers' lock, as the thread that hosts it receives them. */
export interface HostedLockOptions {
  realpath: false
  lockfilePath: string
  stale: number
  update: number
  retries: 0
}

/** Takes, refreshes and releases the writers' lock through proper-lockfile. */
export interface LockHost {
  /** One attempt; rejects as proper-lockfile does (`code` 'ELOCKED' while another holds it). */
  lock(): Promise<void>
  release(): Promise<void>
  /** Why the lock stopped being ours (another process took it over), or undefined. */
  lost(): Error | undefined
  close(): Promise<void>
}

/**
 * From this size on the lock is refreshed from a worker thread. A rewrite of a file this size
 * blocks the event loop for a fraction of a second, far from the stale bound; below it a thread's
 * start (about 65 ms here, most of a small `track`) would cost more than it protects.
 */
export const LOCK_THREAD_MIN_BYTES = 4 * 2 ** 20

export async function lockHostFor(
  file: string,
  options: HostedLockOptions,
  brief = false,
): Promise<LockHost> {
  const size = brief ? 0 : ((await stat(file).catch(() => undefined))?.size ?? 0)
  return size >= LOCK_THREAD_MIN_BYTES
    ? new ThreadLockHost(file, options)
    : new EventLoopLockHost(file, options)
}

class EventLoopLockHost implements LockHost {
  #release: (() => Promise<void>) | undefined
  #lost: Error | undefined

  constructor(
    private readonly file: string,
    private readonly options: HostedLockOptions,
  ) {}

  async lock(): Promise<void> {
    this.#release = await lockfile.lock(this.file, {
      ...this.options,
      onCompromised: (error) => {
        this.#lost = error
      },
    })
  }

  async release(): Promise<void> {
    await this.#release?.()
  }

  lost(): Error | undefined {
    return this.#lost
  }

  async close(): Promise<void> {}
}

type ThreadReply =
  | { done: 'lock' | 'release' }
  | { failed: 'lock' | 'release'; code?: string; message: string }
  | { compromised: string }

/** The lock held from `lock-thread.mjs`, whose refresh the caller's blocked event loop cannot stop. */
class ThreadLockHost implements LockHost {
  readonly #lostFlag = new Int32Array(new SharedArrayBuffer(4))
  readonly #worker: Worker
  #lostReason: string | undefined
  #stopped: Error | undefined
  #waiting: { resolve: () => void; reject: (error: Error) => void } | undefined

  constructor(file: string, options: HostedLockOptions) {
    this.#worker = new Worker(new URL('./lock-thread.mjs', import.meta.url), {
      workerData: { file, options, lost: this.#lostFlag },
      // Not the caller's flags: `--input-type`, for one, stops a worker that runs a file.
      execArgv: [],
    })
    this.#worker.on('message', (reply: ThreadReply) => {
      if ('compromised' in reply) {
        this.#lostReason = reply.compromised
        return
      }
      const waiting = this.#waiting
      this.#waiting = undefined
      if ('done' in reply) waiting?.resolve()
      else waiting?.reject(Object.assign(new Error(reply.message), { code: reply.code }))
    })
    const failAll = (error: Error) => {
      // A thread that died cannot refresh: whatever it held must be taken as lost.
      this.#stopped ??= error
      Atomics.store(this.#lostFlag, 0, 1)
      this.#lostReason ??= `the thread refreshing it stopped: ${error.message}`
      this.#waiting?.reject(error)
      this.#waiting = undefined
    }
    this.#worker.on('error', failAll)
    this.#worker.on('exit', (code) => failAll(new Error(`exited with code ${code}`)))
  }

  #ask(request: 'lock' | 'release'): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#stopped !== undefined) {
        reject(new Error(`the thread holding the lock stopped: ${this.#stopped.message}`))
        return
      }
      this.#waiting = { resolve, reject }
      this.#worker.postMessage(request)
    })
  }

  lock(): Promise<void> {
    return this.#ask('lock')
  }

  release(): Promise<void> {
    return this.#ask('release')
  }

  lost(): Error | undefined {
    if (Atomics.load(this.#lostFlag, 0) === 0) return undefined
    return new Error(this.#lostReason ?? 'another process took it over')
  }

  async close(): Promise<void> {
    this.#worker.removeAllListeners('exit')
    await this.#worker.terminate()
  }
}
