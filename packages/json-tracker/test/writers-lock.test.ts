import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rmdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import {
  LOCK_STALE_MS,
  lockOwnerPathOf,
  lockQueuePathOf,
  withWritersLock,
} from '../src/writers-lock.js'

// Children run the built package, as every child writer in these tests.
const packageDir = new URL('..', import.meta.url)

async function freshFile(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'sm-lock-')), 'skill_metrics.json')
}

/** Holds the lock of `file` until the returned function is called. */
async function holdLock(file: string): Promise<() => Promise<void>> {
  let release!: () => void
  let taken!: () => void
  const isTaken = new Promise<void>((resolve) => (taken = resolve))
  const held = withWritersLock(file, async () => {
    taken()
    await new Promise<void>((resolve) => (release = resolve))
  })
  await isTaken
  return async () => {
    release()
    await held
  }
}

const ticketsOf = async (file: string) => readdir(lockQueuePathOf(file)).catch(() => [])

async function untilTickets(file: string, count: number): Promise<void> {
  while ((await ticketsOf(file)).length < count) await sleep(5)
}

describe("the writers' lock", () => {
  it('serves waiters in the order they came, whoever polls first', async () => {
    const file = await freshFile()
    const release = await holdLock(file)
    const order: number[] = []
    const waiters: Promise<void>[] = []
    for (let waiter = 0; waiter < 8; waiter += 1) {
      waiters.push(withWritersLock(file, async () => void order.push(waiter)))
      await untilTickets(file, waiter + 1)
      await sleep(2)
    }
    await release()
    await Promise.all(waiters)
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(await ticketsOf(file)).toEqual([])
  })

  it('a writer joining while the last waiter leaves (and removes the queue folder) gets in', async () => {
    const file = await freshFile()
    const queue = lockQueuePathOf(file)
    // What other processes' waiters do as they come and go, as fast as it can be done.
    let stop = false
    const churn = (async () => {
      while (!stop) {
        await mkdir(queue, { recursive: true }).catch(() => {})
        await rmdir(queue).catch(() => {})
      }
    })()
    try {
      for (let round = 0; round < 300; round += 1) await withWritersLock(file, async () => {})
    } finally {
      stop = true
      await churn
    }
  })

  it('a waiter that gives up leaves the queue, and the next one goes on', async () => {
    const file = await freshFile()
    const release = await holdLock(file)
    const impatient = withWritersLock(file, async () => 'never', { timeoutMs: 100 })
    await expect(impatient).rejects.toThrow(/gave up after 100 ms/)
    const patient = withWritersLock(file, async () => 'served')
    await untilTickets(file, 1)
    await release()
    expect(await patient).toBe('served')
    expect(await ticketsOf(file)).toEqual([])
  })

  it('a ticket left by a killed waiter is passed over at once', async () => {
    const file = await freshFile()
    const release = await holdLock(file)
    const child = execa(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { withWritersLock } = await import('@skill-metrics/json-tracker'); await withWritersLock(${JSON.stringify(file)}, async () => {})`,
      ],
      { cwd: packageDir, reject: false },
    )
    await untilTickets(file, 1)
    child.kill('SIGKILL')
    await child
    await release()
    const started = performance.now()
    await withWritersLock(file, async () => {}, { timeoutMs: 2_000 })
    // Its ticket is still refreshed-looking (killed within the stale period): only its dead pid
    // tells it apart, so waiting less than the stale period shows the pid was checked.
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(await ticketsOf(file)).toEqual([])
  })

  it('a lock left by a holder killed on this host is taken at once, not after it goes stale', async () => {
    const file = await freshFile()
    const child = execa(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { withWritersLock } = await import('@skill-metrics/json-tracker'); await withWritersLock(${JSON.stringify(file)}, async () => { console.log('held'); await new Promise(() => {}) })`,
      ],
      { cwd: packageDir, reject: false },
    )
    await new Promise((resolve) => child.stdout!.once('data', resolve))
    expect(await readFile(lockOwnerPathOf(file), 'utf8')).toMatch(new RegExp(`-${child.pid}\n$`))
    child.kill('SIGKILL')
    await child
    const started = performance.now()
    await withWritersLock(file, async () => {}, { timeoutMs: 2_000 })
    expect(performance.now() - started).toBeLessThan(LOCK_STALE_MS / 5)
    expect(existsSync(lockOwnerPathOf(file))).toBe(false)
  })

  it('a lock named by a live process, or by no one, is waited for', async () => {
    const file = await freshFile()
    const release = await holdLock(file)
    // The holder's own name, with a pid that lives (this process): never taken over.
    await expect(withWritersLock(file, async () => {}, { timeoutMs: 300 })).rejects.toThrow(
      /gave up after 300 ms/,
    )
    // A name cut short (no newline), as a full disk could leave it, names no one, even when
    // what is left reads as a process that is gone.
    const exited = execa(process.execPath, ['-e', ''])
    await exited
    const gone = exited.pid
    const named = await readFile(lockOwnerPathOf(file), 'utf8')
    await writeFile(lockOwnerPathOf(file), named.replace(/-\d+\n$/, `-${gone}`))
    await expect(withWritersLock(file, async () => {}, { timeoutMs: 300 })).rejects.toThrow(
      /gave up after 300 ms/,
    )
    await release()
  })
})
