import { existsSync } from 'node:fs'
import { mkdtemp, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import { LOCK_THREAD_MIN_BYTES } from '../src/lock-host.js'
import { LOCK_STALE_MS, withWritersLock } from '../src/writers-lock.js'

// Children run the built package, as every child writer in these tests.
const packageDir = new URL('..', import.meta.url)
// Longer than the stale bound, as a rewrite of a 1M-invocation file on a busy machine.
const STALL_MS = LOCK_STALE_MS + 3_000

/** A legacy file path whose file has `bytes` bytes (the lock does not read it, only its size). */
async function fileOf(bytes: number): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'sm-heartbeat-')), 'skill_metrics.json')
  await writeFile(file, '')
  await truncate(file, bytes)
  return file
}

/**
 * A holder whose event loop stops for `stallMs` under the lock, as a huge rewrite stops it
 * (Atomics.wait blocks the thread without burning a core), then checks the lock is still its own
 * and, if so, writes `marker` before it releases.
 */
function stalledHolder(file: string, marker: string, stallMs: number) {
  return execa(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { writeFileSync } from 'node:fs'
       import { setTimeout as sleep } from 'node:timers/promises'
       const { withWritersLock } = await import('@skill-metrics/json-tracker')
       await withWritersLock(${JSON.stringify(file)}, async (lock) => {
         console.log('held')
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${stallMs})
         // Room for a refresh timer that was due during the stall to run, as the awaited writes
         // of a real rewrite give it.
         await sleep(1_000)
         lock.assertHeld()
         writeFileSync(${JSON.stringify(marker)}, 'kept')
       })`,
    ],
    { cwd: packageDir, reject: false },
  )
}

async function stallWithWaiter(bytes: number) {
  const file = await fileOf(bytes)
  const marker = `${file}.kept`
  const holder = stalledHolder(file, marker, STALL_MS)
  await new Promise((resolve) => holder.stdout!.once('data', resolve))
  const holderKeptItFirst = await withWritersLock(file, async () => existsSync(marker), {
    timeoutMs: STALL_MS + 20_000,
  })
  return { holder: await holder, holderKeptItFirst }
}

describe("the writers' lock of a large file, held by a holder whose event loop stalls", () => {
  it.concurrent('is kept past the stale bound, and the waiter gets it only after the holder is done', async () => {
    const { holder, holderKeptItFirst } = await stallWithWaiter(LOCK_THREAD_MIN_BYTES)
    expect(holder.exitCode, holder.stderr).toBe(0)
    expect(holderKeptItFirst).toBe(true)
  }, 60_000)

  it.concurrent('below the size that starts the thread, the same stall loses the lock: the test stalls long enough', async () => {
    const { holder, holderKeptItFirst } = await stallWithWaiter(LOCK_THREAD_MIN_BYTES - 1)
    expect(holderKeptItFirst).toBe(false)
    expect(holder.exitCode).not.toBe(0)
    expect(holder.stderr).toMatch(/lost the writers' lock/)
  }, 60_000)

  it('a holder killed with kill -9 while it stalls is taken over at once', async () => {
    const file = await fileOf(LOCK_THREAD_MIN_BYTES)
    const holder = stalledHolder(file, `${file}.kept`, 10 * 60_000)
    await new Promise((resolve) => holder.stdout!.once('data', resolve))
    holder.kill('SIGKILL')
    await holder
    const started = performance.now()
    await withWritersLock(file, async () => {}, { timeoutMs: LOCK_STALE_MS })
    expect(performance.now() - started).toBeLessThan(LOCK_STALE_MS / 5)
  })
})
